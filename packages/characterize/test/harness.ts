import { exiftool, type Tags } from 'exiftool-vendored';
import { mkdir, mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { identifyFormat } from '../src/identify.ts';
import { scanRisks } from '../src/risks.ts';
import type { Finding, FormatIdentification, RiskLimits } from '../src/types.ts';

/** Writes a fixture under its OA file name, reads its tags with the real exiftool, and runs both steps. */

export const limits: RiskLimits = {
  maxBytes: 50 * 1024 * 1024,
  archiveMaxEntries: 100,
  archiveMaxTotalBytes: 10 * 1024 * 1024,
  archiveMaxNesting: 1,
};

export interface Characterized {
  identification: FormatIdentification;
  findings: Finding[];
  codes: string[];
  tags: Tags;
}

export class Workspace {
  private dir = '';
  private count = 0;

  async open(): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), 'characterize-'));
  }

  async close(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
    await exiftool.end();
  }

  async characterize(
    fileName: string,
    bytes: Buffer,
    options: { declaredMediaType?: string | null; limits?: RiskLimits } = {},
  ): Promise<Characterized> {
    // A numbered folder per file keeps the OA name intact (it may be unsafe) without collisions.
    const folder = join(this.dir, String(this.count++));
    const stored = join(folder, 'component' + (/\.[A-Za-z0-9]+$/.exec(fileName)?.[0] ?? ''));
    await mkdir(folder);
    await writeFile(stored, bytes);
    const tags = await exiftool.read(stored);
    const identification = await identifyFormat(stored, tags);
    const findings = await scanRisks({
      filePath: stored,
      fileName,
      size: bytes.length,
      declaredMediaType: options.declaredMediaType,
      identification,
      tags,
      limits: options.limits ?? limits,
    });
    return { identification, findings, codes: findings.map((f) => f.code).sort(), tags };
  }
}
