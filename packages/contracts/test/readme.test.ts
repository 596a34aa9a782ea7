import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleDocumentFinalizedEvent, parseDocumentFinalized } from '../src/index.ts';

describe('the example in docs/oa-integration.md', () => {
  const readme = readFileSync(path.join(import.meta.dirname, '../../../docs/oa-integration.md'), 'utf8');
  const block = /<!-- example:document-finalized -->\n```json\n([\s\S]*?)\n```/.exec(readme)?.[1];

  it('is the contract example and a valid event', () => {
    expect(block).toBeDefined();
    const event = JSON.parse(block!);
    expect(event).toEqual(exampleDocumentFinalizedEvent);
    expect(parseDocumentFinalized({ value: Buffer.from(block!), headers: {} }).ok).toBe(true);
  });
});
