// The one place that decides which Chromium the browser journeys use (playwright.config.ts imports it).
// As a script (`node e2e/check-browser.mjs`, run before `playwright test` and by .ci/run) it prints one
// line and exits 1 when there is none; `--print` also prints the browser it found.
//
// Order: CHROMIUM_PATH if set (a path that is not an executable file counts as "not found"), then the
// system Chromium (/usr/bin/chromium, /usr/bin/chromium-browser), then Playwright's own downloaded
// browser (machines with internet access), which Playwright launches without an executablePath.
// Needs nothing but Node, so .ci/run can call it before `npm install`.
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const SYSTEM_CHROMIUMS = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
const HOW_TO = "install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH to a Chromium/Chrome binary";

function isExecutableFile(file) {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Playwright's own Chromium when it has been downloaded (`npx playwright install`), else undefined. */
function playwrightChromium() {
  try {
    const require = createRequire(import.meta.url);
    const file = require('playwright-core').chromium.executablePath();
    return file && isExecutableFile(file) ? file : undefined;
  } catch {
    return undefined; // not installed yet, or no build for this platform
  }
}

/**
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {{ found: true, source: 'CHROMIUM_PATH' | 'system' | 'playwright', path: string, executablePath: string | undefined } | { found: false, message: string }}
 */
export function findChromium(env = process.env) {
  const configured = env.CHROMIUM_PATH;
  if (configured) {
    if (isExecutableFile(configured)) return { found: true, source: 'CHROMIUM_PATH', path: configured, executablePath: configured };
    let problem = 'does not exist';
    try {
      problem = statSync(configured).isFile() ? 'is not executable' : 'is not a file';
    } catch {
      // does not exist
    }
    return { found: false, message: `No Chromium found: CHROMIUM_PATH=${configured} ${problem}; ${HOW_TO}` };
  }
  const system = SYSTEM_CHROMIUMS.find(isExecutableFile);
  if (system) return { found: true, source: 'system', path: system, executablePath: system };
  const own = playwrightChromium();
  if (own) return { found: true, source: 'playwright', path: own, executablePath: undefined };
  return { found: false, message: `No Chromium found (looked at ${SYSTEM_CHROMIUMS.join(', ')}): ${HOW_TO}` };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = findChromium();
  if (!result.found) {
    console.error(result.message);
    process.exit(1);
  }
  if (process.argv.includes('--print')) console.log(`${result.path} (${result.source})`);
}
