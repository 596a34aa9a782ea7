import { describe, expect, it } from 'vitest';
import { safeNextPath } from '../src/safeNext.ts';

describe('the login form sends a person only to a path on this site', () => {
  it.each([
    ['/', '/'],
    ['/review', '/review'],
    ['/ingests/ing_0123?x=1#top', '/ingests/ing_0123?x=1#top'],
    ['/ingests?q=%E6%A1%A3%E6%A1%88', '/ingests?q=%E6%A1%A3%E6%A1%88'],
    ['/ingests?q=https://example.org', '/ingests?q=https://example.org'],
  ])('keeps %j', (next, expected) => {
    expect(safeNextPath(next)).toBe(expected);
  });

  it.each([
    '//evil.example',
    '/\\evil.example',
    '\\/evil.example',
    '/%5Cevil',
    '/%5cevil',
    '/%2F%2Fevil.example',
    '%2F%2Fevil.example',
    'https://evil.example',
    'http:evil.example',
    'javascript:alert(1)',
    'evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    '/%09/evil.example',
    '/review\\x',
    '/%E0%A4%A',
    '',
    '/' + 'a'.repeat(2001),
  ])('refuses %j (falls back to /)', (next) => {
    expect(safeNextPath(next)).toBe('/');
  });

  it.each([undefined, null, 42, ['/review'], { next: '/review' }])('refuses a non-string %j', (next) => {
    expect(safeNextPath(next)).toBe('/');
  });
});
