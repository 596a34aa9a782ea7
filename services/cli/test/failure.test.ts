import { describe, expect, it } from 'vitest';
import { describeFailure } from '@oa-archive/messages';
import { failureText } from '../src/commands/operate.ts';

/** `archive replay --bulk` prints each stage's stored failure reason: its meaning first, the original as evidence. */
describe('a stored failure reason as the CLI prints it', () => {
  const reason = 'ConversionTimeoutError: soffice did not finish in 120 s';

  it('gives the meaning from the catalogue and keeps the original message unchanged', () => {
    expect(describeFailure(reason, 'zh-CN')).toEqual({ meaning: '格式转换超时', original: reason });
    expect(describeFailure(reason, 'en')).toEqual({ meaning: 'conversion to the preservation format timed out', original: reason });
  });

  it('names an error the catalogue does not know, and says nothing when there is no reason', () => {
    expect(describeFailure('WeirdThingError: boom', 'en')?.meaning).toBe('processing failed (WeirdThingError)');
    expect(describeFailure('no error name here', 'zh-CN')?.meaning).toBe('处理出错（—）');
    expect(describeFailure(null, 'en')).toBeUndefined();
    expect(failureText(undefined, 'en')).toBe('');
  });

  it('prints both in the reader’s language', () => {
    expect(failureText(reason, 'zh-CN')).toBe(`格式转换超时（原始信息：${reason}）`);
    expect(failureText(reason, 'en')).toBe(`conversion to the preservation format timed out (original message: ${reason})`);
  });
});
