import { randomBytes } from 'node:crypto';
import type { Message } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleDocumentFinalizedEvent, type DeadLetter } from '@oa-archive/contracts';
import { readTopic, waitFor } from '@oa-archive/testing';
import { metric, startTestIntake, structuredHeaders, validRecord } from './harness.ts';

/**
 * Everything an OA system (or anyone who can write to the topic) might send, each followed by a valid
 * event. Every hostile record must end as a dead letter with a reason, and every valid one as an ingest:
 * one stuck record would hold up all the valid ones behind it on the partition.
 */

type Json = Record<string, unknown>;
const example = exampleDocumentFinalizedEvent as unknown as Json;
const data = exampleDocumentFinalizedEvent.data;
const MiB = 1024 * 1024;

function stringLeaves(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (typeof value === 'string') return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringLeaves(v, [...path, i]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => stringLeaves(v, [...path, k]));
  return [];
}

function withLeaf(path: (string | number)[], change: (s: string) => string): Json {
  const copy = structuredClone(example);
  let node = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  node[last] = change(node[last] as string);
  return copy;
}

const structured = (event: unknown): Message => ({ value: JSON.stringify(event), headers: structuredHeaders });
const withData = (changes: Json): Message => structured({ ...example, data: { ...data, ...changes } });
const component = (url: string, extra: Json = {}) => ({ role: '附件', fileName: 'a.pdf', url, ...extra });

interface HostileCase {
  name: string;
  record: Message;
  reason: RegExp;
  /** An issue path the letter must name. */
  path?: string;
  valueOmitted?: RegExp;
}

function hostileCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  for (const path of stringLeaves(example)) {
    const field = path.join('.');
    cases.push({ name: `NUL in ${field}`, record: structured(withLeaf(path, (s) => `${s}\u0000`)), reason: new RegExp(field.replace(/\./g, '\\.')), path: field });
    cases.push({ name: `lone surrogate in ${field}`, record: structured(withLeaf(path, (s) => `\ud800${s}`)), reason: new RegExp(field.replace(/\./g, '\\.')), path: field });
  }
  const { data: _data, ...attributes } = exampleDocumentFinalizedEvent;
  const binaryHeaders: Record<string, string> = { 'content-type': 'application/json' };
  for (const [name, value] of Object.entries(attributes)) if (name !== 'datacontenttype') binaryHeaders[`ce_${name}`] = String(value);
  const { ce_id: _id, ce_source: _source, ...withoutIdentity } = binaryHeaders;
  const { ce_specversion: _spec, ...withoutSpecversion } = binaryHeaders;

  cases.push(
    { name: 'a NUL in extra, as a key', record: withData({ extra: { 'k\u0000': 'v' } }), reason: /data\.extra\.k\\u0000: key contains U\+0000/, path: 'data.extra.k\\u0000' },
    {
      // Written by hand: JSON.stringify itself overflows the stack on such a value.
      name: 'extra nested 100000 deep',
      record: { value: JSON.stringify({ ...example, data: { ...data, extra: { deep: 'DEEP' } } }).replace('"DEEP"', `${'['.repeat(100_000)}${']'.repeat(100_000)}`), headers: structuredHeaders },
      reason: /nests deeper than 32 levels/,
    },
    { name: 'a 10 MB title', record: withData({ title: '题'.repeat(10 * MiB / 3) }), reason: /the record is 10\.0 MiB, over the 1 MiB an event may take/, valueOmitted: /INTAKE_MAX_MESSAGE_BYTES/ },
    {
      name: '500 components of 4 GiB each',
      record: withData({ components: Array.from({ length: 500 }, (_, i) => component(`http://127.0.0.1:8088/files/big/${i}`, { size: 4 * 1024 * MiB })) }),
      reason: /500 components, over the 200 an event may declare.*declare 2\.0 TiB, over the 16 GiB/,
      path: 'data.components',
    },
    ...['file:///etc/passwd', 'ftp://127.0.0.1:8088/x', 'gopher://127.0.0.1:8088/x'].map((url) => ({
      name: `a component at ${url}`,
      record: withData({ components: [component(url)] }),
      reason: /data\.components\.0\.url/,
      path: 'data.components.0.url',
    })),
    ...['http://169.254.169.254/latest/meta-data/', 'http://127.0.0.1:5432/', 'http://oa.evil.example/files/1'].map((url) => ({
      name: `a component on a host that is not allowed: ${url}`,
      record: withData({ components: [component(url)] }),
      reason: /is not an allowed origin of source "oa-simulator"/,
      path: 'data.components.0.url',
    })),
    {
      name: 'duplicate component URLs',
      record: withData({ components: [data.components[0], component(data.components[0]!.url)] }),
      reason: /same URL as component 0/,
      path: 'data.components.1.url',
    },
    { name: 'an unknown dataschema major version', record: structured({ ...example, dataschema: 'urn:oa-archive:schema:document-finalized:2.0' }), reason: /unsupported dataschema/, path: 'dataschema' },
    { name: 'a version beyond the catalog column', record: withData({ version: 2 ** 31 }), reason: /data\.version/, path: 'data.version' },
    { name: 'the year 0000', record: withData({ dates: { ...data.dates, finalized: '0000-03-14T09:30:00+08:00' } }), reason: /year 0000 does not exist/, path: 'data.dates.finalized' },
    { name: 'an unknown source', record: structured({ ...example, source: 'oa-nobody' }), reason: /source "oa-nobody" is not a configured OA system/, path: 'source' },
    { name: 'binary garbage', record: { value: Buffer.concat([Buffer.from([0xff, 0xfe]), randomBytes(4096)]) }, reason: /not UTF-8 text/ },
    { name: 'an empty value', record: { value: Buffer.alloc(0), headers: structuredHeaders }, reason: /empty message value/ },
    { name: 'no value at all (a tombstone)', record: { value: null }, reason: /empty message value/ },
    { name: 'a 20 MB record', record: withData({ extra: { padding: 'x'.repeat(20 * MiB) } }), reason: /the record is 20\.0 MiB, over the 1 MiB/, valueOmitted: /INTAKE_MAX_MESSAGE_BYTES/ },
    { name: 'structured mode with invalid JSON', record: { value: '{"specversion":"1.0","id":', headers: structuredHeaders }, reason: /value is not JSON/ },
    { name: 'binary mode without ce_id and ce_source', record: { value: JSON.stringify(data), headers: withoutIdentity }, reason: /not a oa\.document\.finalized CloudEvent: id: .*source: /, path: 'id' },
    { name: 'binary mode without ce_specversion', record: { value: JSON.stringify(data), headers: withoutSpecversion }, reason: /specversion/, path: 'specversion' },
    { name: 'binary mode with a ce_id that is not UTF-8', record: { value: JSON.stringify(data), headers: { ...binaryHeaders, ce_id: Buffer.from([0xc3, 0x28]) } }, reason: /header "ce_id" is not UTF-8 text/ },
    {
      // Valid UTF-8 yet nothing like JSON; as base64 its letter outgrows a dead-letter topic left at the broker's 1 MB default.
      name: '900 KB of NUL bytes',
      record: { value: Buffer.alloc(900 * 1024), headers: structuredHeaders },
      reason: /value is not JSON/,
      valueOmitted: /larger than the dead-letter topic accepts/,
    },
  );
  return cases;
}

describe('intake against hostile records', () => {
  let t: Awaited<ReturnType<typeof startTestIntake>>;
  const cases = hostileCases();

  beforeAll(async () => {
    t = await startTestIntake({
      // The topic takes records up to 32 MiB, as a permissive broker would, so the 10 and 20 MB records
      // really reach intake and its own limit is what refuses them. The dead-letter topic keeps the
      // broker's 1 MB default, as one provisioned by hand might.
      topics: ({ finalized, deadLetter }) => [
        { topic: finalized, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: String(32 * MiB) }] },
        { topic: deadLetter, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '1048588' }] },
      ],
    });
  });
  afterAll(async () => {
    await t?.tearDown();
  });

  it('dead-letters each with a reason, never stalls, and ingests the valid event after each', { timeout: 180_000 }, async () => {
    expect(cases.length).toBeGreaterThan(90);
    for (const [index, hostile] of cases.entries()) {
      await t.send([hostile.record]);
      await t.send([validRecord(`VALID-${index}`)]);
    }
    await waitFor(() => t.intake.stats.ingested === cases.length, { timeoutMs: 120_000, what: `${cases.length} valid events` });
    expect(t.intake.stats).toMatchObject({ ingested: cases.length, deadLettered: cases.length, duplicates: 0 });

    const letters = (await readTopic(t.kafka, t.config.KAFKA_TOPIC_DEAD_LETTER, cases.length, 60_000)).map((m) => JSON.parse(m.value) as DeadLetter);
    expect(letters).toHaveLength(cases.length);
    const byOffset = new Map(letters.map((letter) => [letter.origin.offset, letter]));
    for (const [index, hostile] of cases.entries()) {
      const letter = byOffset.get(String(2 * index));
      expect(letter, hostile.name).toBeDefined();
      expect(letter!.reason, hostile.name).toMatch(hostile.reason);
      if (hostile.path) expect(letter!.issues.map((i) => i.path), hostile.name).toContain(hostile.path);
      if (hostile.valueOmitted) {
        expect(letter!.value, hostile.name).toBeNull();
        expect(letter!.valueOmitted?.why, hostile.name).toMatch(hostile.valueOmitted);
        expect(letter!.valueOmitted?.bytes, hostile.name).toBe(Buffer.byteLength(hostile.record.value!));
      } else if (hostile.record.value !== null && hostile.record.value.length > 0) {
        // The original record, byte for byte, for a redrive once the cause is fixed.
        const original = Buffer.from(hostile.record.value);
        const kept = letter!.value!.encoding === 'base64' ? Buffer.from(letter!.value!.content, 'base64') : Buffer.from(letter!.value!.content, 'utf8');
        expect(kept.equals(original), hostile.name).toBe(true);
      }
    }

    const documents = (await t.db.catalog.listIngests({ limit: 10_000 })).map((i) => i.documentId).sort();
    expect(documents).toEqual(cases.map((_, i) => `VALID-${i}`).sort());
    const { committed, end, deadLetters } = await t.offsets();
    expect(committed).toBe(end);
    expect(end).toBe(String(2 * cases.length));
    expect(deadLetters).toBe(cases.length);
    expect(await metric(t.intake.opsUrl, /oa_archive_intake_records_total\{result="dead-lettered"\} (\d+)/)).toBe(cases.length);
  });
});
