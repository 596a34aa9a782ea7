import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCatalog, exampleEventFor, seedIngestAt } from '@oa-archive/catalog/testing';
import { ingestIdOf } from '@oa-archive/contracts';
import { reconcileCommand } from '../src/commands/completeness.ts';
import { loadCliConfig } from '../src/config.ts';

/**
 * `archive reconcile` against a real catalog and an OA list endpoint: prints the gap with its deadline
 * (the default schedule's 5 working days) and exits 1; exits 0 when nothing is missing.
 */
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let oa: Server;
let sourcesFile = '';
let listed = ['CLI-RECEIVED', 'CLI-GAP'];

beforeAll(async () => {
  db = await createTestCatalog();
  const event = exampleEventFor('CLI-RECEIVED');
  await seedIngestAt(db.catalog, ingestIdOf({ source: 'oa-cli', documentId: 'CLI-RECEIVED', version: 1 }), { ...event, source: 'oa-cli' }, { status: 'FILED' });
  oa = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ documents: listed.map((documentId) => ({ documentId, version: 1, finalizedAt: '2025-03-14T09:30:00+08:00', departmentCode: 'BGS' })) }));
  });
  await new Promise<void>((resolve) => oa.listen(0, '127.0.0.1', resolve));
  sourcesFile = path.join(mkdtempSync(path.join(tmpdir(), 'cli-sources-')), 'sources.yaml');
  writeFileSync(
    sourcesFile,
    `schema: oa-archive/gateway-sources@1
sources:
  oa-cli:
    mapping: mappings/oa-json-nested.yaml
    bearer: [{ token: push-token-0123456789abcdef }]
    finalizedList: { url: 'http://127.0.0.1:${(oa.address() as AddressInfo).port}/finalized', token: list-token-0123456789ab }
`,
  );
});

afterAll(async () => {
  oa?.close();
  await db?.drop();
});

describe('archive reconcile', () => {
  const config = () => loadCliConfig({ DATABASE_URL: db.url, GATEWAY_SOURCES_FILE: sourcesFile });

  it('prints what the OA finalized and the archive never received, overdue, and exits 1', async () => {
    const lines: string[] = [];
    const code = await reconcileCommand(config(), db.catalog, { source: 'oa-cli', since: '2025-01-01', until: '2026-01-01' }, (line) => lines.push(line));
    expect(code).toBe(1);
    const text = lines.join('\n');
    expect(text).toContain('the OA lists 2; the archive received 1: 1 final (0 of them FAILED), 0 not final; 1 never received');
    // Finalized Friday 2025-03-14: 5 working days, due by the end of Friday 03-21 (+08:00).
    expect(text).toMatch(/CLI-GAP\s+1\s+2025-03-14T09:30:00\+08:00\s+2025-03-21T16:00:00\.000Z OVERDUE/);
  });

  it('exits 0 when nothing is missing, and prints JSON on request', async () => {
    listed = ['CLI-RECEIVED'];
    const lines: string[] = [];
    expect(await reconcileCommand(config(), db.catalog, { source: 'oa-cli', since: '2025-01-01', until: '2026-01-01', json: true }, (line) => lines.push(line))).toBe(0);
    expect(JSON.parse(lines.join('\n'))).toMatchObject({ source: 'oa-cli', counts: { listed: 1, missing: 0, final: 1 } });
  });

  it('refuses a missing source or a bad date with what to give', async () => {
    await expect(reconcileCommand(config(), db.catalog, { since: '2025-01-01', until: '2026-01-01' }, () => {})).rejects.toThrow(/--source is required/);
    await expect(reconcileCommand(config(), db.catalog, { source: 'oa-cli', since: 'yesterday', until: '2026-01-01' }, () => {})).rejects.toThrow(/--since must be a date/);
  });
});
