import { existsSync } from 'node:fs';
import playwright, { type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * Debian's chromium (.ci/run installs it when absent). Missing, the suite fails: a console test
 * that skips would pass without a browser ever having looked at a page.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`no ${CHROMIUM}: install Debian's chromium (apt-get install chromium; .ci/run does it)`);
  return playwright.chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}
