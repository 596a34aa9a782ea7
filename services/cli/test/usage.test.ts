import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { kafkaRepairLine } from '../src/commands/operate.ts';
import { usageText } from '../src/usage.ts';
import { translator } from '@oa-archive/messages';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

describe('the command list', () => {
  it('says what each command does in Chinese, with its syntax as typed', () => {
    const text = usageText('zh-CN');
    expect(text.split('\n')[0]).toBe('用法（选项说明见 docs/operator.md）：');
    expect(text).toContain('  archive rebuild-catalog --into <database url>\n      在空数据库中从归档存储桶重建目录库（中断后再次执行即续做）\n');
    // Every command the dispatcher knows is listed.
    for (const command of ['migrate', 'audit verify', 'audit anchor', 'ingests', 'show', 'classify', 'replay', 'review settle', 'proposals', 'reconcile-jobs', 'reconcile', 'fixity', 'token', 'redrive', 'reconsume', 'callbacks', 'rebuild-catalog', 'disposition', 'holds', 'await']) {
      expect(text, command).toContain(`  archive ${command}`);
    }
    expect(usageText('en')).toContain('      publish a window of the finalized topic again\n');
  });

  it('is what `archive help` prints, without a database', async () => {
    const env = { PATH: process.env.PATH!, HOME: process.env.HOME!, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', ARCHIVE_LOCALE: 'zh-CN' };
    const { stdout } = await promisify(execFile)(process.execPath, [main, 'help'], { env });
    expect(stdout).toBe(usageText('zh-CN'));
  });
});

describe('redrive and reconsume results', () => {
  it('read as sentences in the reader’s language', () => {
    const zh = translator('zh-CN');
    expect(kafkaRepairLine({ topic: 'oa.dlq', redriven: 3, skipped: 1 }, zh)).toBe('死信主题 oa.dlq：3条已送回原主题；1条无法重发（不是本系统的死信，或原消息过大未随附），仍留在死信主题');
    expect(kafkaRepairLine({ topic: 'oa.document.finalized', since: '2026-12-01T00:00:00.000Z', until: '2026-12-02T00:00:00.000Z', republished: 42 }, zh)).toBe(
      '主题 oa.document.finalized 在 2026-12-01T00:00:00.000Z 至 2026-12-02T00:00:00.000Z 之间收到的42条事件已重新发布；已处理过的事件按重复事件忽略',
    );
  });
});
