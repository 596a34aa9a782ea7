import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertScheduleVersion } from '@oa-archive/catalog';
import { createTestCatalog } from '@oa-archive/catalog/testing';
import { DEFAULT_SCHEDULE_PATH } from '@oa-archive/classify';
import { testLogger, uniqueName } from '@oa-archive/testing';
import { loadConsoleConfig, startConsole, type ConsoleProcess } from '../src/index.ts';

/**
 * The console suggests and settles review decisions by the schedule in force: the agency's file with
 * the rules admins accepted from review, as the worker classifies by it. Against the real PostgreSQL.
 */
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let consoleProcess: ConsoleProcess | undefined;

beforeAll(async () => {
  db = await createTestCatalog();
});

afterAll(async () => {
  await consoleProcess?.close();
  await db?.drop();
});

describe('the console\'s retention schedule', () => {
  it('is the newest version accepted from review, not the file it was started with', async () => {
    const file = await readFile(DEFAULT_SCHEDULE_PATH, 'utf8');
    const root = /^version: "([^"]+)"$/m.exec(file)![1]!;
    const learned = `${root}+learned.1`;
    await insertScheduleVersion(db.catalog.pool, { version: learned, rootVersion: root, baseVersion: root, yaml: file.replace(/^version: "[^"]+"$/m, `version: "${learned}"`), createdBy: 'admin.zhao' });
    consoleProcess = await startConsole(loadConsoleConfig({ DATABASE_URL: db.url, CONSOLE_PORT: '0', QUEUE_PREFIX: uniqueName('console-schedule') }), testLogger());
    expect(consoleProcess.deps.schedule.version).toBe(learned);
  });
});
