/** A stand-in origin: a `next` that resolves against it to anywhere else would leave the console. */
const HERE = 'http://console.invalid';

/**
 * Where the login form may send a person afterwards: a path on this site, or `/`. Refused: anything
 * not starting with one `/` (a scheme, `//host`), a backslash (browsers read `/\host` as `//host`),
 * control characters (browsers drop tab and newline, so `/\t/host` becomes `//host`), and the same
 * hidden behind percent-encoding (`/%5Chost`), for a proxy or framework that decodes before us.
 */
export function safeNextPath(next: unknown): string {
  if (typeof next !== 'string' || next.length > 2000) return '/';
  let decoded: string;
  try {
    decoded = decodeURIComponent(next);
  } catch {
    return '/';
  }
  for (const form of [next, decoded]) {
    if (!form.startsWith('/') || form.startsWith('//')) return '/';
    // eslint-disable-next-line no-control-regex -- control characters are what this refuses
    if (/[\\\u0000-\u001f\u007f]/.test(form)) return '/';
  }
  try {
    return new URL(next, HERE).origin === HERE ? next : '/';
  } catch {
    return '/';
  }
}
