import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from './config.ts';

/**
 * Query strings carry credentials (`?api_token=...`) and personal data, and log lines end up in
 * places nobody secures: every query value in a logged URL becomes `[redacted]` (the parameter names
 * stay, for debugging). Matches a path or URL followed by `?`, so a question mark in a sentence is
 * left alone.
 */
const QUERY_IN_URL = /((?:https?:\/\/[^\s/?#"'<>]+)?\/[^\s?#"'<>]*)\?([^\s#"'<>]*)/g;

export function redactQueryStrings(text: string): string {
  if (!text.includes('?')) return text;
  return text.replace(QUERY_IN_URL, (_match, before: string, query: string) => {
    const parts = query.split('&').map((part) => {
      const eq = part.indexOf('=');
      return eq === -1 ? (part === '' ? '' : '[redacted]') : `${part.slice(0, eq + 1)}[redacted]`;
    });
    return `${before}?${parts.join('&')}`;
  });
}

/** Walks a log object (bounded in depth) and redacts query strings in every string it holds. */
function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactQueryStrings(value);
  if (depth >= 4 || value === null || typeof value !== 'object') return value;
  // An error's message and stack are not own enumerable properties: serialize it first (as pino's
  // `err` serializer does), or it would be logged as {}.
  if (value instanceof Error) return redactDeep(pino.stdSerializers.err(value), depth);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = redactDeep(item, depth + 1);
  return out;
}

/**
 * One pino logger for the process. Fastify's request serializer logs no headers, and nothing logs
 * request bodies; the redaction below is the safety net for credentials put into a log line by
 * mistake, at the top level or up to three levels down. Query strings are redacted in messages,
 * in logged objects and in errors (their message and stack), however they got there. Stored
 * secrets' values are never passed to a logger (services/secrets.ts hands them only to the caller
 * that set them). `destination` is for tests that read what was logged.
 */
export function createLogger(config: Pick<Config, 'logLevel' | 'logPretty'>, destination?: DestinationStream): Logger {
  const errSerializer = pino.stdSerializers.err;
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    redact: {
      paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'].concat(
        ['password', 'passwordHash', 'token', 'sessionToken', 'secret', 'secretValue', 'signingSecret', 'secretKey'].flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`]),
      ),
      censor: '[redacted]',
    },
    serializers: {
      // Usually already serialized by the log formatter below, which runs first.
      err: (error: unknown) => (error instanceof Error ? (redactDeep(errSerializer(error)) as pino.SerializedError) : error),
      req: (req: { method?: string; url?: string }) => ({ method: req.method, url: req.url === undefined ? undefined : redactQueryStrings(req.url) }),
    },
    // (A child logger's own fields, log.child({...}), are not passed through this: pino does not
    // format children's bindings. They are fixed words like { component: 'engine' }, never URLs.)
    formatters: { log: (object) => redactDeep(object) as Record<string, unknown> },
    hooks: {
      // The message (and any printf-style arguments) of each call.
      logMethod(args, method) {
        method.apply(this, args.map((arg) => (typeof arg === 'string' ? redactQueryStrings(arg) : arg)) as Parameters<typeof method>);
      },
    },
  };
  if (destination) return pino(options, destination);
  return pino({ ...options, ...(config.logPretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } } : {}) });
}
