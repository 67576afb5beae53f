// Types of check-browser.mjs for playwright.config.ts.
export declare const SYSTEM_CHROMIUMS: string[];

export type ChromiumLookup =
  | {
      found: true;
      source: 'CHROMIUM_PATH' | 'system' | 'playwright';
      path: string;
      /** What to pass to Playwright; undefined for Playwright's own browser. */
      executablePath: string | undefined;
    }
  | { found: false; message: string };

export declare function findChromium(env?: NodeJS.ProcessEnv): ChromiumLookup;
