import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, officerPage } from './browser.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCatalog } from '@oa-archive/catalog/testing';
import { loadConsoleConfig, startConsole, type ConsoleProcess } from '@oa-archive/console';
import { testLogger, uniqueName } from '@oa-archive/testing';
import { consoleOidcEnv, freePort, startTestProvider, type TestProvider } from './oidcProvider.ts';

/**
 * Single sign-on in real headless Chromium: through the provider's (oidc-provider's) own login and
 * consent pages into the console with the role the groups map to, an admin action refused for a
 * viewer, and logout ending the session here and at the provider. Screenshots go to test-artifacts/oidc/.
 */
const ARTIFACTS = path.join(import.meta.dirname, '..', '..', 'test-artifacts', 'oidc');
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let provider: TestProvider;
let consoleProcess: ConsoleProcess;
let browser: Browser;
let page: Page;
let base = '';

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  db = await createTestCatalog();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  provider = await startTestProvider({ redirectUri: `${base}/auth/oidc/callback`, postLogoutRedirectUri: `${base}/login`, groups: { ada: ['archive-admins'], vic: ['staff'] } });
  consoleProcess = await startConsole(
    loadConsoleConfig({
      DATABASE_URL: db.url,
      QUEUE_PREFIX: uniqueName('oidc-browser'),
      CONSOLE_PORT: String(port),
      ...consoleOidcEnv(provider, base),
    }),
    testLogger(),
  );
  browser = await launchChromium();
  page = await officerPage(browser);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await consoleProcess?.close();
  await provider?.close();
  await db?.drop();
});

const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

/** From the console's login page through the provider's login and consent pages, back to the overview. */
async function logInAs(account: string) {
  await page.goto(base);
  expect(new URL(page.url()).pathname).toBe('/login');
  await page.click('#sso-login');
  await page.waitForURL((url) => url.origin === provider.issuer);
  await page.fill('input[name=login]', account);
  await page.fill('input[name=password]', 'any password will do');
  await page.click('button[type=submit]');
  // The provider asks for consent to share the profile and groups with the console.
  await page.waitForSelector('text=Continue');
  await page.click('button[type=submit]');
  await page.waitForURL(`${base}/`);
}

describe('single sign-on in a real browser', () => {
  it('logs a viewer in through the provider onto the overview', async () => {
    await logInAs('vic');
    expect(await page.textContent('.who')).toContain('vic (查看)');
    expect(await page.isVisible('[data-status="FAILED"]')).toBe(true);
    await shot('viewer-overview');
  });

  it('refuses the viewer an admin action', async () => {
    const answer = await page.evaluate(async () => {
      const response = await fetch('/api/callbacks/redrive', { method: 'POST', headers: { 'content-type': 'application/json', 'x-requested-with': 'oa-console' }, body: '{}' });
      return { status: response.status, body: (await response.json()) as { error: string } };
    });
    expect(answer).toEqual({ status: 403, body: { error: 'vic is viewer; this needs admin' } });
    await page.goto(`${base}/callbacks`);
    expect(await page.isVisible('#redrive-all')).toBe(false);
  });

  it('logs out at the console and at the provider', async () => {
    await page.click('.who a[href="/logout"]');
    // The provider's own sign-out confirmation, then back to the console's login page.
    await page.waitForURL((url) => url.origin === provider.issuer);
    await shot('provider-logout');
    await page.click('button[autofocus], button[type=submit]');
    await page.waitForURL(`${base}/login`);
    await page.goto(base);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect((await page.context().cookies(base)).map((c) => c.name)).not.toContain('oa_console_sso');
  });

  it('logs an admin in afresh (the provider session ended too) with the admin role', async () => {
    await logInAs('ada');
    expect(await page.textContent('.who')).toContain('ada (管理员)');
    expect(await page.isVisible('a[href="/queues-admin"]')).toBe(true);
    await shot('admin-overview');
  });
});
