import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { type Db, EngineDb, ensurePrivateDir, migrate, openDb } from './db/index.ts';
import { createLogger } from './logger.ts';
import { buildApp } from './http/app.ts';
import { Engine } from './runner/engine.ts';
import { isOwnerGone } from './runner/identity.ts';
import { createFirstAdmin, needsSetup } from './services/accounts.ts';
import { withBusyRetry } from './services/busy.ts';
import { ApiGate } from './services/apiGate.ts';
import { Definitions } from './services/definitions.ts';
import { Idempotency } from './services/idempotency.ts';
import { AppError } from './services/errors.ts';
import { LoginLimiter } from './services/loginLimiter.ts';
import { Metrics } from './services/metrics.ts';
import { RefusedCalls } from './services/refusals.ts';
import { openSecretBox } from './services/secretBox.ts';
import { SecretStore } from './services/secrets.ts';

export interface RunningServer {
  app: FastifyInstance;
  db: Db;
  engineDb: EngineDb;
  engine: Engine;
  metrics: Metrics;
  gate: ApiGate;
  /** The encrypted secrets store; `revealMany` gives an endpoint's signing secrets. */
  secrets: SecretStore;
  /** The address it listens on, e.g. http://127.0.0.1:3000 */
  url: string;
  close(): Promise<void>;
}

/**
 * Starts everything in order: migrations, database, first admin from the environment, HTTP, the
 * run engine. `close` undoes it in reverse: refuse new calls, let in-flight requests and runs
 * finish and their writes commit, then close the database.
 */
export async function startServer(config: Config, log: Logger, options: { clock?: () => Date } = {}): Promise<RunningServer> {
  // A data folder that cannot be written stops the start here with one line (a ConfigError).
  const dataDirWarning = ensurePrivateDir(config.dataDir);
  if (dataDirWarning) log.warn(dataDirWarning);
  const report = migrate(config.databaseFile);
  log.info({ database: config.databaseFile, applied: report.applied }, 'database ready');

  // Before anything answers: a key file that cannot be read or written stops the start here.
  const secretBox = openSecretBox(config, log);
  const db = openDb(config.databaseFile);
  if (config.admin && (await needsSetup(db))) {
    try {
      await withBusyRetry(() => createFirstAdmin(db, config.admin!));
      log.info({ email: config.admin.email }, 'created the first admin from ADMIN_EMAIL');
    } catch (error) {
      // Another process started on the same data at the same moment made the first account.
      if (!(error instanceof AppError && error.code === 'CONFLICT')) throw error;
    }
  }
  const engineLog = log.child({ component: 'engine' });
  const engineDb = new EngineDb({
    file: config.databaseFile,
    synchronous: config.engine.synchronous,
    batchMs: config.engine.writeBatchMs,
    onError: (error, context) => engineLog.error({ err: error, context }, 'a database write failed'),
  });
  const metrics = new Metrics(() => engineDb.scheduling.queueDepth());
  const engine = new Engine(engineDb, new Definitions(engineDb), config.engine, engineLog, options.clock, metrics);
  const refusals = new RefusedCalls(engineDb, metrics);
  const clock = options.clock ?? (() => new Date());
  const secrets = new SecretStore(db, secretBox, clock);
  const gate = new ApiGate(engineDb, clock);
  const idempotency = new Idempotency(engineDb, engine.owner, () => engine.newRunId(), config.engine.leaseMs, (owner) => isOwnerGone(owner, engine.owner), clock);
  const app = await buildApp({ db, config, log, engine, refusals, gate, idempotency, loginLimiter: new LoginLimiter(), scheduler: engine.scheduling, metrics, clock, secrets });
  // Listen before the engine starts: if the port is taken (another copy running on the same
  // data?) we stop here. /healthz answers 503 and endpoints refuse runs until the engine is up.
  let address: string;
  try {
    address = await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await engineDb.close();
    await db.$disconnect();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new ConfigError(`Port ${config.port} is already in use: stop what uses it, or set PORT to another port`);
    }
    throw error;
  }
  await engine.start();
  metrics.start(options.clock ?? (() => new Date()));
  const url = address.replace('0.0.0.0', '127.0.0.1').replace('[::]', '127.0.0.1');

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      engine.stopAccepting();
      // Keep-alive connections whose last request ends after close() began would hold it open
      // until they time out (72 s): close each one as soon as it is idle.
      const idleSweep = setInterval(() => app.server.closeIdleConnections(), 50);
      try {
        await app.close();
      } finally {
        clearInterval(idleSweep);
      }
      await engine.stop();
      metrics.stop();
      refusals.flush();
      gate.flush();
      await engineDb.close();
      await db.$disconnect();
    })());
  return { app, db, engineDb, engine, metrics, gate, secrets, url, close };
}

const SHUTDOWN_GRACE_MS = 15_000;

/**
 * The server process (started by main.ts): read the configuration, start, and stop cleanly on
 * SIGINT/SIGTERM, exiting when in-flight work has finished (or after a grace period).
 */
export async function runMain(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const log = createLogger(config);
  let server;
  try {
    server = await startServer(config, log);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // One plain line on stderr, written before exit (a log transport's worker could lose it).
    console.error(error.message);
    process.exit(1);
  }
  log.info(`Switchyard is listening on ${server.url}`);

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log.info({ signal }, 'shutting down: finishing in-flight runs');
      const timer = setTimeout(() => {
        log.error('in-flight work did not finish in time; exiting anyway');
        process.exit(1);
      }, SHUTDOWN_GRACE_MS);
      timer.unref();
      server.close().then(
        () => {
          log.info('stopped cleanly');
          process.exit(0);
        },
        (error: unknown) => {
          log.error({ err: error }, 'error while shutting down');
          process.exit(1);
        },
      );
    });
  }
}
