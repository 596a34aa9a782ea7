import { describe, expect, it } from 'vitest';
import { signatureDateOf } from '../src/checks/signatureAge.ts';
import { scannerRetryDelayMs, SCANNER_WAIT } from '../src/virusCheck.ts';

describe('waiting for clamd', () => {
  const since = new Date('2026-12-01T08:00:00Z');
  const after = (ms: number) => new Date(since.getTime() + ms);

  it('tries again soon at first, then as long as the document has waited, never longer than the cap', () => {
    expect(scannerRetryDelayMs(since, since)).toBe(SCANNER_WAIT.minMs);
    expect(scannerRetryDelayMs(since, after(500))).toBe(SCANNER_WAIT.minMs);
    expect(scannerRetryDelayMs(since, after(5_000))).toBe(5_000);
    expect(scannerRetryDelayMs(since, after(40_000))).toBe(40_000);
    expect(scannerRetryDelayMs(since, after(3_600_000))).toBe(SCANNER_WAIT.maxMs);
    // A clock that went back never gives a negative wait.
    expect(scannerRetryDelayMs(since, after(-10_000))).toBe(SCANNER_WAIT.minMs);
    expect(scannerRetryDelayMs(since, after(10_000), { minMs: 100, maxMs: 2_000 })).toBe(2_000);
  });
});

describe('the signature database date a scan recorded', () => {
  it('reads the date of an official database and nothing from local signatures', () => {
    expect(signatureDateOf('ClamAV 1.4.6/27500/Tue Dec  1 08:00:00 2026')?.getFullYear()).toBe(2026);
    expect(signatureDateOf('ClamAV 1.4.6')).toBeUndefined();
    expect(signatureDateOf('ClamAV 1.4.6/27500/not a date')).toBeUndefined();
  });
});
