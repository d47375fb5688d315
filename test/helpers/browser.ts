import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Where Debian's (and most distributions') Chromium lives; CHROMIUM_PATH overrides. */
const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/lib/chromium/chromium',
  '/snap/bin/chromium',
];

/** The Chromium binary the browser tests drive, or undefined when the machine has none. */
export function chromiumPath(): string | undefined {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  return CANDIDATES.find((path) => existsSync(path));
}

/**
 * Whether browser tests can run here; when not, prints why once (so a skipped browser suite is never
 * silent). `.ci/run` installs Debian's `chromium`, so in CI they always run.
 */
export function browserAvailable(): boolean {
  if (chromiumPath()) return true;
  process.stderr.write(
    'browser tests skipped: no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)\n',
  );
  return false;
}

/** Headless Chromium through playwright-core (no browser download: the system's binary). */
export function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('no Chromium: apt-get install chromium, or set CHROMIUM_PATH');
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}
