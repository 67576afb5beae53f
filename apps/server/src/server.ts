import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { type Config, ConfigError } from './config.ts';
import { type Db, migrate, openDb } from './db/index.ts';
import { buildApp } from './http/app.ts';
import { Runner } from './runner/runner.ts';
import { createFirstAdmin, needsSetup } from './services/accounts.ts';
import { LoginLimiter } from './services/loginLimiter.ts';

export interface RunningServer {
  app: FastifyInstance;
  db: Db;
  runner: Runner;
  /** The address it listens on, e.g. http://127.0.0.1:3000 */
  url: string;
  close(): Promise<void>;
}

/**
 * Starts everything in order: migrations, database, first admin from the environment, runner, HTTP.
 * `close` undoes it in reverse: stop taking requests (in-flight ones finish), stop the runner, close
 * the database.
 */
export async function startServer(config: Config, log: Logger): Promise<RunningServer> {
  const report = migrate(config.databaseFile);
  log.info({ database: config.databaseFile, applied: report.applied }, 'database ready');

  const db = openDb(config.databaseFile);
  if (config.admin && (await needsSetup(db))) {
    await createFirstAdmin(db, config.admin);
    log.info({ email: config.admin.email }, 'created the first admin from ADMIN_EMAIL');
  }
  const runner = new Runner(db, log.child({ component: 'runner' }));
  const app = await buildApp({ db, config, log, runner, loginLimiter: new LoginLimiter() });
  // Listen before the runner starts: if the port is taken (another copy running on the same data?)
  // we stop here, before marking that copy's in-flight runs as interrupted. /healthz answers 503
  // and the workflow endpoints refuse runs until the runner is up, a moment later.
  let address: string;
  try {
    address = await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await db.$disconnect();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new ConfigError(`Port ${config.port} is already in use: stop what uses it, or set PORT to another port`);
    }
    throw error;
  }
  await runner.start();
  const url = address.replace('0.0.0.0', '127.0.0.1').replace('[::]', '127.0.0.1');

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      await app.close();
      await runner.stop();
      await db.$disconnect();
    })());
  return { app, db, runner, url, close };
}
