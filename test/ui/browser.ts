import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium (`.ci/run` installs it); another binary through DISTILLERY_CHROMIUM. */
export const CHROMIUM = process.env.DISTILLERY_CHROMIUM ?? '/usr/bin/chromium';

/** A missing browser fails the test: it is part of the test setup the project installs, never a reason to skip. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no chromium at ${CHROMIUM}: install it (apt-get install -y chromium; .ci/run does) or set DISTILLERY_CHROMIUM`);
  // As root, Chromium refuses to start with its sandbox.
  return chromium.launch({ executablePath: CHROMIUM, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
}

/** Where the browser tests leave their screenshots (ignored by git). */
export function screenshotDir(): string {
  const dir = join(import.meta.dirname, 'output');
  mkdirSync(dir, { recursive: true });
  return dir;
}
