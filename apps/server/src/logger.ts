import pino, { type Logger } from 'pino';
import type { Config } from './config.ts';

/**
 * One pino logger for the process. Fastify's request serializer logs no headers, and nothing logs
 * request bodies; the redaction below is the safety net for credentials put into a log line by
 * mistake, at the top level or up to three levels down.
 */
export function createLogger(config: Pick<Config, 'logLevel' | 'logPretty'>): Logger {
  return pino({
    level: config.logLevel,
    redact: {
      paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'].concat(
        ['password', 'passwordHash', 'token', 'sessionToken'].flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`]),
      ),
      censor: '[redacted]',
    },
    ...(config.logPretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } } : {}),
  });
}
