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
  const problems = problemsIn(finding.params?.problems, locale);
  if (problems && isMessageCode(detailed)) return render(detailed, { ...finding.params, detail: problems }, locale);
  if (finding.params?.detail !== undefined && finding.params.detail !== null && isMessageCode(detailed)) return render(detailed, finding.params, locale);
  // A sentence stored in Chinese is already in the reader's language, and says more than the code alone.
  if (locale === 'zh-CN' && /[\u4e00-\u9fff]/.test(finding.message)) return finding.message;
  const plain = `finding.${finding.code}`;
  return isMessageCode(plain) ? render(plain, finding.params ?? {}, locale) : finding.message;
}

/**
 * `problems` is a list of problem codes, `code` or `code=value`, separated by `;` (for example
 * `pdf-no-eof;pdf-bad-startxref=1234`): each in the reader's language. Undefined when any code is
 * unknown, so the stored sentence is used rather than a half-translated one.
 */
function problemsIn(problems: unknown, locale: Locale): string | undefined {
  if (typeof problems !== 'string' || problems === '') return undefined;
  const parts: string[] = [];
  for (const entry of problems.split(';')) {
    const [code, value] = entry.split('=', 2);
    const key = `problem.${code}`;
    if (!isMessageCode(key)) return undefined;
    parts.push(render(key, { value: value ?? '' }, locale));
  }
  return parts.join(locale === 'zh-CN' ? '；' : '; ');
}
