import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isValidTimeZone } from '@switchyard/workflow';
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
  /** Largest request body a workflow endpoint accepts; bigger ones get 413. */
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(100 * 1024 * 1024).default(1024 * 1024),
  /** SQLite's durability for the run engine's writes (see apps/server/src/db/README.md). */
  SQLITE_SYNCHRONOUS: z.enum(['NORMAL', 'FULL']).default('NORMAL'),
  /** Group commit: how long the first write waits for others to share its transaction. */
  WRITE_BATCH_MS: z.coerce.number().min(0).max(100).default(2),
  /** Runs this process executes at once; more wait in the queue, in order. */
  RUNNER_CAPACITY: z.coerce.number().int().min(1).max(100_000).default(256),
  /** A claimed run's lease, and how often it is renewed while the run works. */
  LEASE_SECONDS: z.coerce.number().min(1).max(3600).default(30),
  LEASE_RENEW_SECONDS: z.coerce.number().min(0.2).max(3600).default(10),
  /** How long a synchronous caller waits for its run before getting 202 with the run id. */
  SYNC_WAIT_SECONDS: z.coerce.number().min(0).max(3600).default(30),
  /** Runs and their steps are deleted this many days after they were created. */
  RETENTION_DAYS_DRAFT: z.coerce.number().min(0.0001).max(36_500).default(14),
  RETENTION_DAYS_LIVE: z.coerce.number().min(0.0001).max(36_500).default(14),
  /** How often old runs are looked for. */
  RETENTION_SWEEP_SECONDS: z.coerce.number().min(1).max(86_400).default(60),
  /** Audit log events are deleted this many days after they happened (by the same sweep). */
  AUDIT_RETENTION_DAYS: z.coerce.number().min(1).max(36_500).default(365),
  /** The instance's IANA time zone: recurring jobs and date functions use it unless a workflow sets its own. */
  TIME_ZONE: z
    .string()
    .default('UTC')
    .refine((zone) => isValidTimeZone(zone), 'TIME_ZONE must be an IANA time zone such as UTC or Europe/Paris'),
  /** Lets /metrics be read from other machines than this one (it never needs a token from loopback). */
  METRICS_PUBLIC: z.stringbool().default(false),
  /**
   * The key that encrypts stored secrets (AES-256-GCM): 32 bytes as base64 or hex. Unset: the key in
   * <DATA_DIR>/secret.key, generated on first start.
   */
  SECRET_KEY: z
    .string()
    .transform((text, ctx) => {
      const bytes = decodeSecretKey(text.trim());
      if (bytes) return bytes;
      ctx.addIssue({ code: 'custom', message: 'SECRET_KEY must be 32 bytes written as base64 (44 characters) or hex (64 characters); make one with `openssl rand -base64 32`' });
      return z.NEVER;
    })
    .optional(),
  /**
   * The instance's external base URL (scheme, host, optional port and path), for links, curl
   * snippets and OpenAPI servers; first-admin setup also accepts requests addressed to its host.
   */
  PUBLIC_URL: z
    .url({ protocol: /^https?$/, message: 'PUBLIC_URL must be an http:// or https:// URL such as https://flows.example.com' })
    .refine((url) => !/[?#]/.test(url), 'PUBLIC_URL must not have a query string or a #fragment')
    .optional(),
  /**
   * Behind a reverse proxy: which peers' X-Forwarded-For to believe, so sign-in delays and rate
   * limits count the real client, not the proxy. `true` (any peer: only when nothing else can reach
   * the port), a number of proxy hops, or a comma-separated list of addresses or CIDR ranges.
   */
  TRUST_PROXY: z
    .string()
    .refine(
      (value) => /^(true|false|\d{1,2})$/.test(value) || value.split(',').every((part) => /^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(part.trim())),
      'TRUST_PROXY must be true, false, a number of proxy hops, or a comma-separated list of addresses or CIDR ranges such as 127.0.0.1,10.0.0.0/8',
    )
    .optional(),
  /** A client must send its request's headers within this time (slow-header attacks hold sockets open). */
  HEADERS_TIMEOUT_SECONDS: z.coerce.number().min(1).max(3600).default(20),
  /** Open connections one client address may hold; more are closed at once. */
  MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(1).max(1_000_000).default(1000),
});

/** 32 bytes from 64 hex digits or base64 (padded or not, standard or URL-safe); null otherwise. */
export function decodeSecretKey(text: string): Buffer | null {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) return null;
  const bytes = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return bytes.length === 32 ? bytes : null;
}

/** Key bytes that print as "[redacted]" if a config object is ever logged or serialised. */
export class SecretKey {
  readonly #bytes: Buffer;
  constructor(bytes: Buffer) {
    this.#bytes = Buffer.from(bytes);
  }
  get bytes(): Buffer {
    return this.#bytes;
  }
  toJSON(): string {
    return '[redacted]';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'SecretKey [redacted]';
  }
}

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
  bodyLimitBytes: number;
  engine: EngineConfig;
  /** /metrics answers any address, not only loopback. */
  metricsPublic: boolean;
  /** SECRET_KEY; null: the key file in the data folder (services/secretBox.ts). */
  secretKey: SecretKey | null;
  /** PUBLIC_URL without a trailing slash, or null when unset (then the request's own origin is used). */
  publicUrl: string | null;
  /** Fastify's trustProxy: which peers' X-Forwarded-For headers give the client's address. */
  trustProxy: boolean | number | string;
  /** Connection limits of the HTTP server (see http/connections.ts). */
  connections: { headersTimeoutMs: number; maxPerAddress: number };
}

/** The run engine's settings (see the README's configuration table). */
export interface EngineConfig {
  synchronous: 'NORMAL' | 'FULL';
  writeBatchMs: number;
  capacity: number;
  leaseMs: number;
  leaseRenewMs: number;
  syncWaitMs: number;
  retentionMs: { draft: number; live: number };
  retentionSweepMs: number;
  /** How long audit log events are kept. */
  auditRetentionMs: number;
  /** The instance's time zone (IANA). */
  timeZone: string;
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
  if (e.LEASE_RENEW_SECONDS >= e.LEASE_SECONDS) {
    throw new ConfigError('Invalid configuration:\n  LEASE_RENEW_SECONDS must be shorter than LEASE_SECONDS');
  }
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
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    engine: {
      synchronous: e.SQLITE_SYNCHRONOUS,
      writeBatchMs: e.WRITE_BATCH_MS,
      capacity: e.RUNNER_CAPACITY,
      leaseMs: e.LEASE_SECONDS * 1000,
      leaseRenewMs: e.LEASE_RENEW_SECONDS * 1000,
      syncWaitMs: e.SYNC_WAIT_SECONDS * 1000,
      retentionMs: { draft: e.RETENTION_DAYS_DRAFT * 86_400_000, live: e.RETENTION_DAYS_LIVE * 86_400_000 },
      retentionSweepMs: e.RETENTION_SWEEP_SECONDS * 1000,
      auditRetentionMs: e.AUDIT_RETENTION_DAYS * 86_400_000,
      timeZone: e.TIME_ZONE,
    },
    metricsPublic: e.METRICS_PUBLIC,
    secretKey: e.SECRET_KEY ? new SecretKey(e.SECRET_KEY) : null,
    publicUrl: e.PUBLIC_URL ? e.PUBLIC_URL.replace(/\/+$/, '') : null,
    trustProxy: trustProxyOf(e.TRUST_PROXY),
    connections: { headersTimeoutMs: e.HEADERS_TIMEOUT_SECONDS * 1000, maxPerAddress: e.MAX_CONNECTIONS_PER_ADDRESS },
  };
}

function trustProxyOf(value: string | undefined): boolean | number | string {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value
    .split(',')
    .map((part) => part.trim())
    .join(',');
}
