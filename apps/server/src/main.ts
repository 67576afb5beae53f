import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { startServer } from './server.ts';

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
  log.fatal(error.message);
  process.exit(1);
}
log.info(`Switchyard is listening on ${server.url}`);

const SHUTDOWN_GRACE_MS = 15_000;
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
