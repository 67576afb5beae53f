import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import type { ApiGate } from '../services/apiGate.ts';
import type { LoginLimiter } from '../services/loginLimiter.ts';
import type { Metrics } from '../services/metrics.ts';
import type { SchedulerControl } from '../services/scheduler.ts';
import type { SecretStore } from '../services/secrets.ts';
import type { SessionUser } from '../services/accounts.ts';

/** What lives as long as the server: shared by every request. */
export interface Services {
  db: Db;
  config: Config;
  log: Logger;
  loginLimiter: LoginLimiter;
  /** Scheduled work, as the run engine exposes it to the console. */
  scheduler: SchedulerControl;
  /** The server's clock (tests inject one). */
  clock: () => Date;
  /** This process's metrics (the console's charts read their last hour). */
  metrics: Metrics;
  /** Who may call workflow endpoints: told when Settings change so this process sees them at once. */
  gate: ApiGate;
  /** The encrypted secrets store (signing secrets of webhook endpoints). */
  secrets: SecretStore;
}

/** Everything a procedure may use. Tests build one directly and call routers with createCaller. */
export interface Context extends Services {
  user: SessionUser | null;
  sessionToken: string | null;
  /** The caller's address, for rate limiting. */
  ip: string;
  /** Where the request says it was sent: its Host and Origin headers as sent (null when absent), and its scheme. */
  request: RequestTarget;
  setSessionCookie(token: string, expiresAt: Date): void;
  clearSessionCookie(): void;
}

export interface RequestTarget {
  host: string | null;
  origin: string | null;
  protocol: 'http' | 'https';
}
