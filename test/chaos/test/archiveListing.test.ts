import { describe, expect, it } from 'vitest';
import { bagPrefixOf } from '../src/archiveListing.ts';

describe('bagPrefixOf', () => {
  const bag = 'A182/2025/WS/D30/A182-WS·2025-D30-BGS-0001';

  it('finds the bag of payload, metadata and tag files', () => {
    for (const file of ['data/original/001-通知.docx', 'data/preservation/001-通知.pdf', 'metadata/premis.xml', 'bagit.txt', 'bag-info.txt', 'manifest-sha256.txt', 'manifest-sm3.txt', 'tagmanifest-sha256.txt']) {
      expect(bagPrefixOf(`${bag}/${file}`), file).toBe(bag);
    }
  });

  it('leaves keys of no bag alone', () => {
    expect(bagPrefixOf('audit-anchors/2026-12-01T12:00:00Z-000123.json')).toBeUndefined();
    expect(bagPrefixOf('bagit.txt')).toBeUndefined();
  });
});
