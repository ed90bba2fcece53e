// The describe block's Chromium (test/support/chromium.ts launches it), for the tests that walk a user's path through a
// page.
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium';

/**
 * The describe block's browser: launched before its tests (failing at once when there is no Chromium; declare it
 * before useWorker() so that this comes first), closed after them.
 */
export function useBrowser(): Pick<Browser, 'newPage'> {
  let browser: Browser | undefined;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => browser?.close());
  return { newPage: (options) => browser!.newPage(options) };
}
