import { describe, expect, it } from 'vitest';
import { judgeScratchEntry, parseScratchOwner, type ScratchOwner } from '../src/scratch.ts';

const HOUR = 3_600_000;
const now = Date.parse('2026-12-01T12:00:00Z');
const alive = new Set([100, 200]);
const context = { now, olderThanMs: HOUR, host: 'worker-a', running: (o: ScratchOwner) => alive.has(o.pid) };
const judge = (name: string, ageMs: number) => judgeScratchEntry({ name, mtimeMs: now - ageMs }, context);

describe('parseScratchOwner', () => {
  it('reads host, pid and start time from a stage run entry and a process entry', () => {
    expect(parseScratchOwner('run_worker-a.example_100_98765_ing_0a1b_XyZ123')).toEqual({ kind: 'run', host: 'worker-a.example', pid: 100, startTime: 98765 });
    expect(parseScratchOwner('proc_worker-a_200_5_libreoffice')).toEqual({ kind: 'proc', host: 'worker-a', pid: 200, startTime: 5 });
  });

  it('takes an old-style LibreOffice profile directory as this host’s, pid only', () => {
    expect(parseScratchOwner('libreoffice-4242', 'worker-a')).toEqual({ kind: 'proc', host: 'worker-a', pid: 4242, startTime: 0 });
  });

  it('names no owner for anything else', () => {
    expect(parseScratchOwner('ing_0a1b-XyZ123')).toBeUndefined();
    expect(parseScratchOwner('run_no-pid_here')).toBeUndefined();
  });
});

describe('judgeScratchEntry', () => {
  it('removes at once what a process of this host left behind when it died, whatever its age', () => {
    expect(judge('run_worker-a_300_1_ing_x_abc', 0)).toEqual({ remove: true, reason: 'owner-gone' });
    expect(judge('proc_worker-a_300_1_libreoffice', 0)).toEqual({ remove: true, reason: 'owner-gone' });
    expect(judge('libreoffice-300', 0)).toEqual({ remove: true, reason: 'owner-gone' });
  });

  it('keeps a running process’s stage entry until it is older than the bound', () => {
    expect(judge('run_worker-a_100_1_ing_x_abc', HOUR - 1)).toEqual({ remove: false });
    expect(judge('run_worker-a_100_1_ing_x_abc', HOUR + 1)).toEqual({ remove: true, reason: 'older-than-bound' });
  });

  it('keeps a running process’s own entry however old (a LibreOffice profile lives as long as its worker)', () => {
    expect(judge('proc_worker-a_200_1_libreoffice', 100 * HOUR)).toEqual({ remove: false });
    expect(judge('libreoffice-200', 100 * HOUR)).toEqual({ remove: false });
  });

  it('judges another host’s stage entries by age only, and never its process entries', () => {
    expect(judge('run_worker-b_300_1_ing_x_abc', HOUR - 1)).toEqual({ remove: false });
    expect(judge('run_worker-b_300_1_ing_x_abc', HOUR + 1)).toEqual({ remove: true, reason: 'older-than-bound' });
    expect(judge('proc_worker-b_300_1_libreoffice', 100 * HOUR)).toEqual({ remove: false });
  });

  it('removes an entry without an owner only once older than the bound', () => {
    expect(judge('ing_0a1b-XyZ123', HOUR - 1)).toEqual({ remove: false });
    expect(judge('ing_0a1b-XyZ123', HOUR + 1)).toEqual({ remove: true, reason: 'older-than-bound' });
  });
});
