/**
 * Checks of a file name as the OA supplied it: whether it is safe to use as a file name in the
 * archive, and which extension it claims.
 */

const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$/i;

/** Every reason the name is unsafe to store under; empty when it is safe. */
export function unsafeFileNameReasons(name: string): string[] {
  const reasons: string[] = [];
  if (name.length === 0) return ['is empty'];
  if (name === '.' || name === '..') return ['is a directory reference'];
  if (/[/\\]/.test(name)) reasons.push('contains a path separator');
  if (name.split(/[/\\]/).includes('..')) reasons.push('contains a ".." segment');
  if (/^[A-Za-z]:/.test(name)) reasons.push('starts with a drive letter');
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f-\x9f]/.test(name)) reasons.push('contains control characters');
  if (name.startsWith('~')) reasons.push('starts with "~"');
  // Windows silently drops these, so the stored name would differ from the recorded one.
  if (/[. ]$/.test(name)) reasons.push('ends with a dot or space');
  if (WINDOWS_DEVICE.test(name)) reasons.push('is a reserved Windows device name');
  return reasons;
}

/** The extension the name claims, lower case without the dot; null when it has none. */
export function claimedExtension(name: string): string | null {
  const base = name.split(/[/\\]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return null;
  const extension = base.slice(dot + 1).toLowerCase();
  // "报告 v1.2 终稿" has a dot but no extension.
  return /^[a-z0-9]{1,10}$/.test(extension) ? extension : null;
}
