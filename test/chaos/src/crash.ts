/**
 * Why a Node process died, from what it printed last: the error line Node writes after an
 * unhandled 'error' event or an uncaught exception (not the JSON log lines before it, nor the
 * stack). Undefined when the output names none (a SIGKILL, say).
 */
export function crashReasonOf(output: string): string | undefined {
  const lines = output.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('{') && !/^\s+at /.test(l));
  const end = lines.findLastIndex((l) => /^Node\.js v\d+/.test(l));
  if (end < 0) return undefined;
  const unhandled = lines.slice(0, end).findLastIndex((l) => /Unhandled 'error' event|^file:\/\/|^node:/.test(l));
  const error = lines.slice(Math.max(0, unhandled), end).find((l) => /^(\w*Error|error)(\s*\[\w+\])?: /.test(l));
  if (!error) return undefined;
  const kind = lines[unhandled]?.includes("Unhandled 'error' event") ? "unhandled 'error' event: " : '';
  return `${kind}${error.trim()}`;
}
