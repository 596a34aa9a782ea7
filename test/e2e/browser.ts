import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium, headless, with nothing that reaches out to the network on its own. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A page as a records officer's browser opens it: 1360 px wide, asking for Chinese (Accept-Language zh-CN). */
export function officerPage(browser: Browser): Promise<Page> {
  return browser.newPage({ viewport: { width: 1360, height: 900 }, locale: 'zh-CN' });
}

/** Logs in on the console's token form and waits for the overview. */
export async function logInWithToken(page: Page, consoleUrl: string, token: string): Promise<void> {
  await page.goto(`${consoleUrl}/login`);
  await page.fill('input[name=token]', token);
  await page.click('button[type=submit]');
  await page.waitForURL(`${consoleUrl}/`);
}
