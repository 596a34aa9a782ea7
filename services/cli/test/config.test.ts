import { describe, expect, it } from 'vitest';
import { loadCliConfig, systemLocale } from '../src/config.ts';

describe('cli configuration', () => {
  it('reads the local catalog and S3 server by default', () => {
    expect(loadCliConfig({})).toMatchObject({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/oa_archive', S3_ENDPOINT: 'http://127.0.0.1:9000' });
  });
  it('names a bad database URL', () => {
    expect(() => loadCliConfig({ DATABASE_URL: 'localhost' })).toThrow(/DATABASE_URL/);
  });
});

describe('the language of the output', () => {
  it('maps the shell locale: zh* to zh-CN, en* to en, C, POSIX, unset or another language to zh-CN', () => {
    expect(systemLocale({ LANG: 'zh_CN.UTF-8' })).toBe('zh-CN');
    expect(systemLocale({ LANG: 'zh_TW.UTF-8' })).toBe('zh-CN');
    expect(systemLocale({ LANG: 'en_US.UTF-8' })).toBe('en');
    expect(systemLocale({ LANG: 'en_GB' })).toBe('en');
    expect(systemLocale({ LANG: 'C.UTF-8' })).toBe('zh-CN');
    expect(systemLocale({ LANG: 'POSIX' })).toBe('zh-CN');
    expect(systemLocale({ LANG: 'de_DE.UTF-8' })).toBe('zh-CN');
    expect(systemLocale({})).toBe('zh-CN');
  });
  it('ranks the variables as POSIX does: LC_ALL, then LC_MESSAGES, then LANG (an empty one does not count)', () => {
    expect(systemLocale({ LC_ALL: 'en_US.UTF-8', LC_MESSAGES: 'zh_CN.UTF-8', LANG: 'zh_CN.UTF-8' })).toBe('en');
    expect(systemLocale({ LC_MESSAGES: 'en_US.UTF-8', LANG: 'zh_CN.UTF-8' })).toBe('en');
    expect(systemLocale({ LC_ALL: '', LANG: 'en_US.UTF-8' })).toBe('en');
  });
  it('lets ARCHIVE_LOCALE win over the shell, and names a locale the catalogue lacks', () => {
    expect(loadCliConfig({ LANG: 'en_US.UTF-8' }).ARCHIVE_LOCALE).toBe('en');
    expect(loadCliConfig({ LANG: 'en_US.UTF-8', ARCHIVE_LOCALE: 'zh-CN' }).ARCHIVE_LOCALE).toBe('zh-CN');
    expect(loadCliConfig({ LANG: 'C' }).ARCHIVE_LOCALE).toBe('zh-CN');
    expect(() => loadCliConfig({ ARCHIVE_LOCALE: 'fr' })).toThrow(/ARCHIVE_LOCALE/);
  });
});
