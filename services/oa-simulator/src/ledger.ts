import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SimulatedDocument } from './documents.ts';

/**
 * What the simulated OA finalized: every document it handed over (by any route) and those it finalized
 * but never sent (planted gaps, `oa-simulator gap`). The file server lists them at GET /finalized, the
 * list the archive's completeness check (应归尽归) compares with what it received.
 */

export type Route = 'kafka' | 'push' | 'table' | 'package' | 'none';

export interface LedgerEntry {
  source: string;
  documentId: string;
  version: number;
  finalizedAt: string;
  departmentCode: string;
  title: string;
  /** How it was handed over; `none`: finalized and never sent. */
  route: Route;
}

export interface FinalizedLedger {
  record(entries: LedgerEntry[]): Promise<void>;
  /** The source's documents finalized in [since, until), one entry per (document, version). */
  list(query: { source: string; since: Date; until: Date }): Promise<LedgerEntry[]>;
}

export function ledgerEntryOf(document: SimulatedDocument, source: string, route: Route): LedgerEntry {
  const { data } = document;
  return { source, documentId: data.documentId, version: data.version, finalizedAt: data.dates.finalized, departmentCode: data.departmentCode, title: data.title, route };
}

function select(entries: LedgerEntry[], query: { source: string; since: Date; until: Date }): LedgerEntry[] {
  const byKey = new Map<string, LedgerEntry>();
  for (const entry of entries) {
    const at = new Date(entry.finalizedAt).getTime();
    if (entry.source !== query.source || at < query.since.getTime() || at >= query.until.getTime()) continue;
    byKey.set(`${entry.documentId}\n${entry.version}`, entry);
  }
  return [...byKey.values()].sort((a, b) => a.finalizedAt.localeCompare(b.finalizedAt) || a.documentId.localeCompare(b.documentId));
}

/** In memory: for tests that run the file server in-process. */
export class MemoryLedger implements FinalizedLedger {
  readonly entries: LedgerEntry[] = [];
  async record(entries: LedgerEntry[]): Promise<void> {
    this.entries.push(...entries);
  }
  async list(query: { source: string; since: Date; until: Date }): Promise<LedgerEntry[]> {
    return select(this.entries, query);
  }
}

/** A JSON-lines file shared by the simulator's commands and its file server (SIMULATOR_LEDGER). */
export class FileLedger implements FinalizedLedger {
  readonly file: string;
  constructor(file: string) {
    this.file = file;
  }
  async record(entries: LedgerEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await mkdir(path.dirname(this.file), { recursive: true });
    await appendFile(this.file, entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
  }
  async list(query: { source: string; since: Date; until: Date }): Promise<LedgerEntry[]> {
    const text = await readFile(this.file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    const entries = text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as LedgerEntry);
    return select(entries, query);
  }
}
