import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
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
  await runner.start();

  const app = await buildApp({ db, config, log, runner, loginLimiter: new LoginLimiter() });
  const address = await app.listen({ port: config.port, host: config.host });
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
