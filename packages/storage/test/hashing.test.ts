import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { DigestingStream, SizeLimitExceededError } from '../src/index.ts';
import { OFFLOAD_SM3_FROM_BYTES } from '../src/hashing.ts';

const discard = () => new Writable({ write: (_chunk, _encoding, done) => done() });
/** A body in uneven chunks, some sharing one buffer, as network reads give them. */
function chunksOf(body: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0, k = 0; at < body.length; k++) {
    const length = [65_536, 1, 1_000_003, 17][k % 4]!;
    chunks.push(body.subarray(at, at + length));
    at += length;
  }
  return chunks;
}

describe('DigestingStream', () => {
  it('gives the same SHA-256 and SM3 with SM3 on the helper thread as on its own thread, and passes every byte on', async () => {
    const body = randomBytes(OFFLOAD_SM3_FROM_BYTES + 3_000_001);
    const expected = { size: body.length, sha256: createHash('sha256').update(body).digest('hex'), sm3: createHash('sm3').update(body).digest('hex') };
    for (const sizeHint of [undefined, body.length]) {
      const digest = new DigestingStream(sizeHint === undefined ? {} : { sizeHint });
      const passed = createHash('sha256');
      const collect = new Writable({
        write: (chunk: Buffer, _encoding, done) => {
          passed.update(chunk);
          done();
        },
      });
      await pipeline(Readable.from(chunksOf(body)), digest, collect);
      expect(digest.result()).toEqual(expected);
      expect(passed.digest('hex')).toBe(expected.sha256);
    }
  });

  it('keeps streams apart on the helper thread when several run at once', async () => {
    const bodies = Array.from({ length: 3 }, () => randomBytes(OFFLOAD_SM3_FROM_BYTES + 1));
    const results = await Promise.all(
      bodies.map(async (body) => {
        const digest = new DigestingStream({ sizeHint: body.length });
        await pipeline(Readable.from(chunksOf(body)), digest, discard());
        return digest.result().sm3;
      }),
    );
    expect(results).toEqual(bodies.map((b) => createHash('sm3').update(b).digest('hex')));
  });

  it('fails a stream over its size limit, with SM3 on either thread', async () => {
    for (const sizeHint of [undefined, OFFLOAD_SM3_FROM_BYTES]) {
      const digest = new DigestingStream({ maxBytes: OFFLOAD_SM3_FROM_BYTES, ...(sizeHint ? { sizeHint } : {}) });
      await expect(pipeline(Readable.from(chunksOf(randomBytes(OFFLOAD_SM3_FROM_BYTES + 10))), digest, discard())).rejects.toBeInstanceOf(SizeLimitExceededError);
    }
  });
});
