import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BagError, buildBag, decodeManifestPath, encodeManifestPath, parseManifest, type PayloadFile } from '../src/index.ts';
import { BAG_INFO } from './fixtures.ts';

const digest = (algorithm: 'sha256' | 'sm3', content: string) => createHash(algorithm).update(Buffer.from(content, 'utf8')).digest('hex');
const payloadFile = (path: string, content: string): PayloadFile => ({ path, size: Buffer.byteLength(content), sha256: digest('sha256', content), sm3: digest('sm3', content) });

describe('parseManifest', () => {
  it('reads back what buildBag writes, escapes included, for both algorithms', () => {
    const payload = [payloadFile('data/正文.pdf', '正文'), payloadFile('data/进度 50%.txt', 'percent')];
    const bag = buildBag({ payload, tagFiles: [{ path: 'metadata/premis.xml', content: Buffer.from('<premis/>') }], info: BAG_INFO });
    for (const algorithm of ['sha256', 'sm3'] as const) {
      const parsed = parseManifest(bag.files.find((f) => f.path === `manifest-${algorithm}.txt`)!.content.toString('utf8'));
      expect(parsed).toEqual(new Map(payload.map((p) => [p.path, p[algorithm]])));
      const tags = parseManifest(bag.files.find((f) => f.path === `tagmanifest-${algorithm}.txt`)!.content.toString('utf8'));
      const premis = bag.files.find((f) => f.path === 'metadata/premis.xml')!.content;
      expect(tags.get('metadata/premis.xml')).toBe(createHash(algorithm).update(premis).digest('hex'));
    }
  });

  it('refuses a line that is not a digest and a path, and a path listed twice', () => {
    expect(() => parseManifest('not-a-digest\n')).toThrow(BagError);
    expect(() => parseManifest(`${'a'.repeat(64)} data/x\n${'b'.repeat(64)} data/x\n`)).toThrow(/listed twice/);
  });

  it('accepts CRLF line ends and upper-case digests, giving lower-case ones', () => {
    expect(parseManifest(`${'AB'.repeat(32)}  data/a.txt\r\n`)).toEqual(new Map([['data/a.txt', 'ab'.repeat(32)]]));
  });
});

describe('decodeManifestPath', () => {
  it('undoes exactly the three escapes a manifest writer applies', () => {
    for (const path of ['data/a%0Ab', 'data/50%25', 'data/line\nbreak\r.txt', 'data/%41']) expect(decodeManifestPath(encodeManifestPath(path))).toBe(path);
  });
});
