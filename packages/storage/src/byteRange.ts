/**
 * One byte range a client asked for (RFC 9110 §14.1.2): `first`–`last` inclusive (`last` open-ended when
 * absent), or the final `suffix` bytes. Media players seek with these; resumable downloads continue with them.
 */
export type ByteRange = { first: number; last?: number } | { suffix: number };

const SINGLE_RANGE = /^bytes=(\d*)-(\d*)$/;

/**
 * The range a `Range` header asks for, or undefined when it asks for none this server serves: absent,
 * another unit, several ranges, or malformed. RFC 9110 lets a server ignore such a header and send the
 * whole representation, which is what the caller then does.
 */
export function parseByteRange(header: string | undefined): ByteRange | undefined {
  const match = SINGLE_RANGE.exec((header ?? '').trim());
  if (!match) return undefined;
  const [, first, last] = match as unknown as [string, string, string];
  if (first === '' && last === '') return undefined;
  if (![first, last].every((digits) => digits === '' || Number.isSafeInteger(Number(digits)))) return undefined;
  if (first === '') return Number(last) > 0 ? { suffix: Number(last) } : undefined;
  if (last === '') return { first: Number(first) };
  return Number(last) >= Number(first) ? { first: Number(first), last: Number(last) } : undefined;
}

/** The range as an S3 GetObject `Range` parameter (the same syntax as HTTP's). */
export const rangeParameter = (range: ByteRange): string =>
  'suffix' in range ? `bytes=-${range.suffix}` : `bytes=${range.first}-${range.last ?? ''}`;
