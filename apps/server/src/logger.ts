import pino, { type Logger } from 'pino';
import type { Config } from './config.ts';

/**
 * One pino logger for the process. Fastify's request serializer logs no headers, and nothing logs
 * request bodies; the redaction below is the safety net for credentials put into a log line by
 * mistake, at the top level or up to three levels down. Stored secrets' values are never passed to
 * a logger (services/secrets.ts hands them only to the caller that set them).
 *
 * `destination`: where lines go instead of stdout (tests capture the log to search it).
 */
export function createLogger(config: Pick<Config, 'logLevel' | 'logPretty'>, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    redact: {
      paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'].concat(
        ['password', 'passwordHash', 'token', 'sessionToken', 'secret', 'secretValue', 'signingSecret', 'secretKey'].flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`]),
      ),
      censor: '[redacted]',
    },
    ...(config.logPretty && !destination ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } } : {}),
  };
  return destination ? pino(options, destination) : pino(options);
}
