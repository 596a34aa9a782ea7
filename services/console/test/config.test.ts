import { describe, expect, it } from 'vitest';
import { loadConsoleConfig } from '../src/index.ts';

describe('console settings behind a proxy', () => {
  it('trusts no proxy and sets Secure only over TLS by default', () => {
    const config = loadConsoleConfig({});
    expect(config.CONSOLE_TRUST_PROXY).toBe(false);
    expect(config.CONSOLE_COOKIE_SECURE).toBe('auto');
  });

  it.each<[string, false | number | string[]]>([
    ['off', false],
    ['false', false],
    ['1', 1],
    ['2', 2],
    ['127.0.0.1', ['127.0.0.1']],
    ['10.0.0.0/8, 192.168.1.10 ,::1', ['10.0.0.0/8', '192.168.1.10', '::1']],
    ['loopback,fd00::/8', ['loopback', 'fd00::/8']],
  ])('reads CONSOLE_TRUST_PROXY=%j', (value, expected) => {
    expect(loadConsoleConfig({ CONSOLE_TRUST_PROXY: value }).CONSOLE_TRUST_PROXY).toEqual(expected);
  });

  it.each(['true', '0', 'everyone', '10.0.0.0/33', '10.0.0/8', 'proxy.internal', '::1/129'])('refuses CONSOLE_TRUST_PROXY=%j, naming the variable', (value) => {
    expect(() => loadConsoleConfig({ CONSOLE_TRUST_PROXY: value })).toThrow(/CONSOLE_TRUST_PROXY: /);
  });

  it('refuses an unknown CONSOLE_COOKIE_SECURE', () => {
    expect(loadConsoleConfig({ CONSOLE_COOKIE_SECURE: 'always' }).CONSOLE_COOKIE_SECURE).toBe('always');
    expect(() => loadConsoleConfig({ CONSOLE_COOKIE_SECURE: 'yes' })).toThrow(/CONSOLE_COOKIE_SECURE/);
  });
});
