import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SignatureScheme } from '@switchyard/workflow';

/**
 * Webhook signature checks for the three schemes of the kernel's `SignatureScheme`, over the raw
 * bytes of the body exactly as received (a body parsed and serialised again is not what the sender
 * signed). Pure functions: the clock and the secrets come from the caller, nothing is stored or
 * logged, and no reason ever contains a secret or an expected signature.
 *
 * - Standard Webhooks (https://www.standardwebhooks.com/, used by Svix and many others):
 *   `webhook-id`, `webhook-timestamp` (seconds), `webhook-signature` = space-separated
 *   `v1,<base64 HMAC-SHA256>` over `${id}.${timestamp}.${body}`, keyed by the base64 after `whsec_`.
 * - Stripe: `Stripe-Signature: t=<seconds>,v1=<hex>[,v1=<hex>...]`, HMAC-SHA256 over
 *   `${t}.${body}` keyed by the whole `whsec_...` string.
 * - GitHub: `X-Hub-Signature-256: sha256=<hex>`, HMAC-SHA256 over the body; no timestamp.
 *
 * Several secrets may be configured at once (rotation): a signature made with any of them passes.
 */

export type SignatureResult = { ok: true } | { ok: false; reason: string };

/** Header names in lower case, as Node's `IncomingHttpHeaders` has them. */
export type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface SignedRequest {
  /** The body exactly as received. */
  body: Uint8Array | string;
  headers: RequestHeaders;
}

export interface VerifyOptions {
  now: Date;
  /** How far a signed timestamp may be from `now`, either way; 300 s unless given. */
  toleranceSeconds?: number;
}

/** Providers' own default (Standard Webhooks and Stripe both use 5 minutes). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;
/** Longest signature header read: a handful of signatures during a rotation fit many times over. */
export const MAX_SIGNATURE_HEADER_LENGTH = 4096;
/** Longest `webhook-id` read (Svix's are about 30 characters). */
export const MAX_WEBHOOK_ID_LENGTH = 256;
/** Most signatures read from one header (each is compared with each secret). */
export const MAX_SIGNATURE_ENTRIES = 10;

const SECRET_PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;
const SECONDS = /^\d{1,12}$/;

const fail = (reason: string): SignatureResult => ({ ok: false, reason });
const OK: SignatureResult = { ok: true };

export function verifySignature(
  scheme: SignatureScheme,
  request: SignedRequest,
  secrets: readonly string[],
  options: VerifyOptions,
): SignatureResult {
  if (secrets.length === 0) return fail('no signing secret is configured for this workflow');
  switch (scheme) {
    case 'standard_webhooks':
      return verifyStandardWebhooks(request, secrets, options);
    case 'stripe':
      return verifyStripe(request, secrets, options);
    case 'github':
      return verifyGitHub(request, secrets);
  }
}

function verifyStandardWebhooks(request: SignedRequest, secrets: readonly string[], options: VerifyOptions): SignatureResult {
  const id = header(request.headers, 'webhook-id');
  if (!id.ok) return id;
  const timestamp = header(request.headers, 'webhook-timestamp');
  if (!timestamp.ok) return timestamp;
  const signature = header(request.headers, 'webhook-signature');
  if (!signature.ok) return signature;
  if (id.value.length > MAX_WEBHOOK_ID_LENGTH) return fail(`the webhook-id header is longer than ${MAX_WEBHOOK_ID_LENGTH} characters`);
  const time = checkTimestamp('webhook-timestamp', timestamp.value, options);
  if (time) return time;

  const entries = signature.value.split(' ').filter((entry) => entry !== '');
  if (entries.length > MAX_SIGNATURE_ENTRIES) return fail(`the webhook-signature header has more than ${MAX_SIGNATURE_ENTRIES} signatures`);
  // Other versions (v1a: asymmetric) are skipped, as the specification says.
  const candidates = entries.filter((entry) => entry.startsWith('v1,')).map((entry) => entry.slice(3));
  if (candidates.length === 0) return fail('the webhook-signature header has no v1 signature (entries look like v1,<base64>)');
  const given = candidates.filter((text) => BASE64.test(text)).map((text) => Buffer.from(text, 'base64'));

  const keys = secrets.map(standardWebhooksKey).filter((key): key is Buffer => key !== null);
  if (keys.length === 0) return fail('the signing secret is not a Standard Webhooks secret (whsec_ followed by base64)');
  const prefix = `${id.value}.${timestamp.value}.`;
  return anyMatch(keys.map((key) => hmac(key, prefix, request.body)), given);
}

function verifyStripe(request: SignedRequest, secrets: readonly string[], options: VerifyOptions): SignatureResult {
  const value = header(request.headers, 'stripe-signature', 'Stripe-Signature');
  if (!value.ok) return value;
  const pairs = value.value.split(',');
  if (pairs.length > MAX_SIGNATURE_ENTRIES + 2) return fail(`the Stripe-Signature header has more than ${MAX_SIGNATURE_ENTRIES} signatures`);
  let timestamp: string | null = null;
  const candidates: string[] = [];
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at < 0) return fail('the Stripe-Signature header is not a list of key=value pairs (t=...,v1=...)');
    const key = pair.slice(0, at).trim();
    const text = pair.slice(at + 1).trim();
    if (key === 't') {
      if (timestamp !== null) return fail('the Stripe-Signature header has more than one timestamp (t=)');
      timestamp = text;
    } else if (key === 'v1') {
      candidates.push(text);
    }
    // v0 (test-mode legacy) and unknown schemes are ignored, as Stripe's libraries do.
  }
  if (timestamp === null) return fail('the Stripe-Signature header has no timestamp (t=...)');
  if (candidates.length === 0) return fail('the Stripe-Signature header has no v1 signature');
  const time = checkTimestamp('Stripe-Signature timestamp', timestamp, options);
  if (time) return time;
  const given = candidates.filter((text) => HEX_SHA256.test(text)).map((text) => Buffer.from(text, 'hex'));
  return anyMatch(secrets.map((secret) => hmac(Buffer.from(secret, 'utf8'), `${timestamp}.`, request.body)), given);
}

function verifyGitHub(request: SignedRequest, secrets: readonly string[]): SignatureResult {
  const value = header(request.headers, 'x-hub-signature-256', 'X-Hub-Signature-256');
  if (!value.ok) return value;
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(value.value.trim());
  if (!match) return fail('the X-Hub-Signature-256 header is not sha256= followed by 64 hexadecimal digits');
  const given = [Buffer.from(match[1]!, 'hex')];
  return anyMatch(secrets.map((secret) => hmac(Buffer.from(secret, 'utf8'), '', request.body)), given);
}

/** Compares every expected signature with every given one, each in constant time; never stops early. */
function anyMatch(expected: readonly Buffer[], given: readonly Buffer[]): SignatureResult {
  let matched = false;
  for (const mac of expected) {
    for (const candidate of given) {
      if (candidate.length === mac.length && timingSafeEqual(candidate, mac)) matched = true;
    }
  }
  return matched ? OK : fail('no signature matched: the body or the headers were changed, or it was signed with another secret');
}

function hmac(key: Buffer, prefix: string, body: Uint8Array | string): Buffer {
  return createHmac('sha256', key).update(prefix, 'utf8').update(body).digest();
}

/** The HMAC key of a Standard Webhooks secret: the base64 after `whsec_` (the prefix is optional). */
function standardWebhooksKey(secret: string): Buffer | null {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!BASE64.test(encoded)) return null;
  const key = Buffer.from(encoded, 'base64');
  return key.length > 0 ? key : null;
}

type HeaderValue = { ok: true; value: string } | { ok: false; reason: string };

function header(headers: RequestHeaders, name: string, display = name): HeaderValue {
  const raw = headers[name];
  // Node joins repeated headers with ", " except a few; an array means the caller kept them apart.
  const value = Array.isArray(raw) ? raw.join(' ') : (raw as string | undefined);
  if (value === undefined || value.trim() === '') return { ok: false, reason: `no ${display} header` };
  if (value.length > MAX_SIGNATURE_HEADER_LENGTH) {
    return { ok: false, reason: `the ${display} header is longer than ${MAX_SIGNATURE_HEADER_LENGTH} characters` };
  }
  return { ok: true, value: value.trim() };
}

/** A reason when the signed timestamp is not a number of seconds or is too far from now, else null. */
function checkTimestamp(what: string, text: string, options: VerifyOptions): SignatureResult | null {
  if (!SECONDS.test(text)) return fail(`the ${what} is not a number of seconds since 1970`);
  const tolerance = options.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS;
  const skew = Math.floor(options.now.getTime() / 1000) - Number(text);
  if (Math.abs(skew) <= tolerance) return null;
  const when = skew > 0 ? `${duration(skew)} old` : `${duration(-skew)} in the future`;
  return fail(`the ${what} is ${when}; the tolerance is ${duration(tolerance)}${skew < 0 ? " (check the sender's clock)" : ''}`);
}

function duration(seconds: number): string {
  const [amount, unit] =
    seconds >= 2 * 86_400
      ? [Math.floor(seconds / 86_400), 'day']
      : seconds >= 2 * 3600
        ? [Math.floor(seconds / 3600), 'hour']
        : seconds >= 120
          ? [Math.floor(seconds / 60), 'minute']
          : [seconds, 'second'];
  return `${amount} ${unit}${amount === 1 ? '' : 's'}`;
}

export interface SignOptions {
  now: Date;
  /** Standard Webhooks' message id; a random `msg_...` when absent. */
  id?: string;
}

/**
 * The headers a sender of `scheme` would add to `body` signed with `secret`: for the editor's test
 * panel, the curl example, and tests. Signs the exact bytes given (send those same bytes).
 */
export function sign(scheme: SignatureScheme, secret: string, body: Uint8Array | string, options: SignOptions): Record<string, string> {
  const timestamp = String(Math.floor(options.now.getTime() / 1000));
  switch (scheme) {
    case 'standard_webhooks': {
      const key = standardWebhooksKey(secret);
      if (!key) throw new Error('A Standard Webhooks secret is whsec_ followed by base64');
      const id = options.id ?? `msg_${randomBytes(12).toString('hex')}`;
      const mac = hmac(key, `${id}.${timestamp}.`, body).toString('base64');
      return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${mac}` };
    }
    case 'stripe':
      return { 'stripe-signature': `t=${timestamp},v1=${hmac(Buffer.from(secret, 'utf8'), `${timestamp}.`, body).toString('hex')}` };
    case 'github':
      return { 'x-hub-signature-256': `sha256=${hmac(Buffer.from(secret, 'utf8'), '', body).toString('hex')}` };
  }
}

/**
 * A new signing secret that suits all three schemes: `whsec_` and 24 random bytes in base64, the
 * Standard Webhooks format (Stripe's secrets look the same; GitHub takes any string).
 */
export function generateSigningSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(24).toString('base64')}`;
}

/** Why `secret` cannot sign for `scheme`, or null when it can (the editor checks a chosen secret). */
export function signingSecretProblem(scheme: SignatureScheme, secret: string): string | null {
  if (secret.length === 0) return 'The signing secret is empty';
  if (scheme === 'standard_webhooks' && !standardWebhooksKey(secret)) {
    return 'A Standard Webhooks secret is whsec_ followed by base64 (as the sender shows it)';
  }
  return null;
}
