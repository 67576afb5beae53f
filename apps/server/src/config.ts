import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** The repository root, so relative defaults work whichever folder the process starts in. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Where the embedded database lives. Relative paths are resolved from the repository root. */
  DATA_DIR: z.string().min(1).default('./data'),
  /** Overrides the database location; only `file:` (SQLite) URLs are supported so far. */
  DATABASE_URL: z
    .string()
    .refine((url) => url.startsWith('file:'), 'Only SQLite "file:" URLs are supported so far')
    .optional(),
  /** Create this admin on first start when no account exists (unattended installs). */
  ADMIN_EMAIL: z.email('ADMIN_EMAIL must be an email address').optional(),
  ADMIN_PASSWORD: z.string().min(12, 'ADMIN_PASSWORD must be at least 12 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Pretty, coloured logs for humans; JSON lines otherwise. */
  LOG_PRETTY: z.stringbool().optional(),
  /** Set the Secure flag on cookies: turn on when served over HTTPS. */
  COOKIE_SECURE: z.stringbool().default(false),
  SESSION_DAYS: z.coerce.number().int().min(1).max(365).default(14),
  /** The built web app; served as static files when present. */
  WEB_DIST: z.string().default('apps/web/dist'),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** Absolute path of the SQLite file. */
  databaseFile: string;
  admin: { email: string; password: string } | null;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  logPretty: boolean;
  cookieSecure: boolean;
  sessionDays: number;
  webDist: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and validates every setting the server uses; nothing else reads process.env. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (Boolean(e.ADMIN_EMAIL) !== Boolean(e.ADMIN_PASSWORD)) {
    throw new ConfigError('Invalid configuration:\n  ADMIN_EMAIL and ADMIN_PASSWORD must be set together');
  }
  const dataDir = path.resolve(REPO_ROOT, e.DATA_DIR);
  const databaseFile = e.DATABASE_URL
    ? path.resolve(REPO_ROOT, e.DATABASE_URL.replace(/^file:/, ''))
    : path.join(dataDir, 'switchyard.db');
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    databaseFile,
    admin: e.ADMIN_EMAIL && e.ADMIN_PASSWORD ? { email: e.ADMIN_EMAIL, password: e.ADMIN_PASSWORD } : null,
    logLevel: e.LOG_LEVEL,
    logPretty: e.LOG_PRETTY ?? Boolean(process.stdout.isTTY),
    cookieSecure: e.COOKIE_SECURE,
    sessionDays: e.SESSION_DAYS,
    webDist: path.resolve(REPO_ROOT, e.WEB_DIST),
  };
}
