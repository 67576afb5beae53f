import type { FastifyInstance } from 'fastify';
import { parse as parseQueryString } from 'fast-querystring';
import secureJson from 'secure-json-parse';
import { LIMITS } from '@switchyard/workflow';

declare module 'fastify' {
  interface FastifyRequest {
    /** The JSON body as received (null for other bodies), stored as a run's input without re-serialising. */
    jsonText: string | null;
    /** The body's bytes as received, for checking a webhook signature over them (null: no body). */
    rawBody: Buffer | null;
  }
}

/** A body refused before any route sees it; `reason` is what refused calls are counted by. */
export class BodyError extends Error {
  override name = 'BodyError';
  readonly statusCode = 400;
  constructor(
    message: string,
    readonly reason: 'malformed_body' | 'forbidden_key' | 'too_deep',
  ) {
    super(message);
  }
}

const OPEN_BRACE = 123;
const OPEN_BRACKET = 91;
const CLOSE_BRACE = 125;
const CLOSE_BRACKET = 93;
const QUOTE = 34;
const BACKSLASH = 92;

/** Deepest nesting of a JSON text, found by scanning it once (before parsing builds anything). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) max = depth;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return max;
}

/**
 * How request bodies are read, for every route: an empty JSON body means "no parameters"; JSON
 * nested deeper than LIMITS.jsonDepth, or holding a `__proto__` key or a `constructor` object with a
 * `prototype` key anywhere, is refused (such a body would make the run impossible to store and show
 * safely); a malformed one gets a message saying where it broke. Form bodies get the same key check.
 */
export function registerBodyParsers(app: FastifyInstance) {
  app.decorateRequest('jsonText', null);
  app.decorateRequest('rawBody', null);
  // Bodies are JSON or form-encoded; anything else is refused with 415. Both are read as bytes and
  // kept, since webhook signatures are computed over the exact bytes sent.
  app.removeContentTypeParser('text/plain');
  app.removeContentTypeParser('application/json');
  // Many webhook senders post HTML-form encoding; values arrive as text and are converted by type.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (request, body, done) => {
    request.rawBody = body as Buffer;
    done(null, parseQueryString((body as Buffer).toString('utf8')));
  });
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    request.rawBody = body as Buffer;
    // A byte-order mark is allowed in front and dropped, so the text stored as the run's input parses.
    const raw = (body as Buffer).toString('utf8');
    const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    if (text.trim() === '') return done(null, undefined);
    if (jsonDepth(text) > LIMITS.jsonDepth) {
      return done(new BodyError(`The JSON body is nested more than ${LIMITS.jsonDepth} levels deep`, 'too_deep'), undefined);
    }
    let parsed: unknown;
    try {
      parsed = secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
    } catch (error) {
      const message = (error as Error).message;
      if (/prototype|constructor/i.test(message)) {
        return done(new BodyError('The body may not contain a "__proto__" key or a "constructor" holding "prototype"', 'forbidden_key'), undefined);
      }
      return done(new BodyError(malformedJson(message), 'malformed_body'), undefined);
    }
    request.jsonText = text;
    done(null, parsed);
  });
}

/** Form bodies are flat: only a `__proto__` field can smuggle object internals in. */
export function checkFormBody(body: unknown): void {
  if (body && typeof body === 'object' && (Object.hasOwn(body, '__proto__') || Object.hasOwn(body, 'constructor[prototype]'))) {
    throw new BodyError('The body may not contain a "__proto__" key or a "constructor" holding "prototype"', 'forbidden_key');
  }
}

/**
 * Where a JSON body broke, without quoting it: the parser's message cites the body's text, and
 * refused calls keep their message (bodies are never stored).
 */
export function malformedJson(parserMessage: string): string {
  const position = /position (\d+)/.exec(parserMessage)?.[1];
  if (position) return `Malformed JSON body: invalid at character ${Number(position) + 1}`;
  if (/end of JSON input|Unterminated/i.test(parserMessage)) return 'Malformed JSON body: it ends too early';
  return 'Malformed JSON body: it is not valid JSON';
}
