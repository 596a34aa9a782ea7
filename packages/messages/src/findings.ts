import type { Locale } from './locale.ts';
import { isMessageCode, render, type MessageParams } from './render.ts';

/** A finding as stages store it: a stable code, optional parameters, and the sentence written at the time. */
export interface StoredFinding {
  code: string;
  params?: MessageParams | null | undefined;
  message: string;
}

/**
 * A finding in the reader's language: from its code (with the tool's own words as `detail` when the
 * finding carries them), or the stored sentence when the catalogue does not know the code.
 */
export function renderFinding(finding: StoredFinding, locale: Locale): string {
  const detailed = `finding.${finding.code}.detail`;
  if (finding.params?.detail !== undefined && finding.params.detail !== null && isMessageCode(detailed)) return render(detailed, finding.params, locale);
  // A sentence stored in Chinese is already in the reader's language, and says more than the code alone.
  if (locale === 'zh-CN' && /[\u4e00-\u9fff]/.test(finding.message)) return finding.message;
  const plain = `finding.${finding.code}`;
  return isMessageCode(plain) ? render(plain, finding.params ?? {}, locale) : finding.message;
}
