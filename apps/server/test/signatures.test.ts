import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  MAX_SIGNATURE_ENTRIES,
  MAX_SIGNATURE_HEADER_LENGTH,
  type RequestHeaders,
  generateSigningSecret,
  sign,
  signingSecretProblem,
  verifySignature,
} from '../src/services/signatures.ts';

// Signature checks of the three schemes, against independent signers: the `standardwebhooks`
// package (the specification's reference library), Stripe's and GitHub's documented recipes
// written out here with node:crypto, and the providers' published examples.

const NOW = new Date('2026-11-25T12:00:00Z');
const now = Math.floor(NOW.getTime() / 1000);
const BODY = Buffer.from('{"type":"invoice.paid","amount":4200,"note":"caf\u00e9 \u2615"}', 'utf8');

/** The same bytes with one bit of one byte flipped. */
function tampered(body: Buffer, index = 10): Buffer {
  const copy = Buffer.from(body);
  copy[index]! ^= 0x01;
  return copy;
}

const check = (scheme: Parameters<typeof verifySignature>[0], body: Uint8Array, headers: RequestHeaders, secrets: string[], at = NOW) =>
  verifySignature(scheme, { body, headers }, secrets, { now: at });

describe('Standard Webhooks', () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  /** Signed by the reference library, not by our code. */
  function signed(body: Buffer, withSecret = secret, timestamp = now, id = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W') {
    const signature = new Webhook(withSecret).sign(id, new Date(timestamp * 1000), body.toString('utf8'));
    return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature };
  }

  it("accepts the specification's published example", () => {
    // From the Standard Webhooks / Svix documentation and reference libraries' tests.
    const headers = {
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    };
    const at = new Date(1614265330 * 1000 + 60_000);
    expect(check('standard_webhooks', Buffer.from('{"test": 2432232314}'), headers, [secret], at)).toEqual({ ok: true });
    expect(check('standard_webhooks', Buffer.from('{"test": 2432232315}'), headers, [secret], at).ok).toBe(false);
  });

  it('accepts a signature made by the reference library, and our signer agrees with it', () => {
    expect(check('standard_webhooks', BODY, signed(BODY), [secret])).toEqual({ ok: true });
    const ours = sign('standard_webhooks', secret, BODY, { now: NOW, id: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W' });
    expect(ours).toEqual(signed(BODY));
    // The reference library verifies what we sign (it reads the real clock).
    expect(() => new Webhook(secret).verify(BODY.toString('utf8'), sign('standard_webhooks', secret, BODY, { now: new Date() }))).not.toThrow();
  });

  it('refuses a tampered byte, a changed id or timestamp', () => {
    expect(check('standard_webhooks', tampered(BODY), signed(BODY), [secret])).toEqual({
      ok: false,
      reason: 'no signature matched: the body or the headers were changed, or it was signed with another secret',
    });
    expect(check('standard_webhooks', BODY, { ...signed(BODY), 'webhook-id': 'msg_other' }, [secret]).ok).toBe(false);
    expect(check('standard_webhooks', BODY, { ...signed(BODY), 'webhook-timestamp': String(now - 1) }, [secret]).ok).toBe(false);
  });

  it('refuses an old and a future timestamp, saying by how much', () => {
    expect(check('standard_webhooks', BODY, signed(BODY, secret, now - 7 * 60), [secret])).toEqual({
      ok: false,
      reason: 'the webhook-timestamp is 7 minutes old; the tolerance is 5 minutes',
    });
    expect(check('standard_webhooks', BODY, signed(BODY, secret, now + 6 * 60 + 30), [secret])).toEqual({
      ok: false,
      reason: "the webhook-timestamp is 6 minutes in the future; the tolerance is 5 minutes (check the sender's clock)",
    });
    expect(check('standard_webhooks', BODY, signed(BODY, secret, now - 3 * 86_400), [secret])).toMatchObject({ reason: expect.stringContaining('3 days old') });
    // At the edge of the tolerance, both ways, it still passes.
    expect(check('standard_webhooks', BODY, signed(BODY, secret, now - 300), [secret]).ok).toBe(true);
    expect(check('standard_webhooks', BODY, signed(BODY, secret, now + 300), [secret]).ok).toBe(true);
  });

  it('accepts either secret while one is rotated out, and several signatures in the header', () => {
    const next = generateSigningSecret();
    expect(check('standard_webhooks', BODY, signed(BODY, secret), [secret, next]).ok).toBe(true);
    expect(check('standard_webhooks', BODY, signed(BODY, next), [secret, next]).ok).toBe(true);
    expect(check('standard_webhooks', BODY, signed(BODY, next), [secret]).ok).toBe(false);
    // A sender rotating its own secret sends both signatures, space-separated.
    const both = signed(BODY, secret);
    both['webhook-signature'] = `v1,${Buffer.alloc(32).toString('base64')} v1a,ignored ${both['webhook-signature']}`;
    expect(check('standard_webhooks', BODY, both, [secret]).ok).toBe(true);
  });

  it('explains missing and malformed headers', () => {
    const headers = signed(BODY);
    const without = (name: string) => Object.fromEntries(Object.entries(headers).filter(([key]) => key !== name));
    expect(check('standard_webhooks', BODY, without('webhook-signature'), [secret])).toEqual({ ok: false, reason: 'no webhook-signature header' });
    expect(check('standard_webhooks', BODY, without('webhook-id'), [secret])).toEqual({ ok: false, reason: 'no webhook-id header' });
    expect(check('standard_webhooks', BODY, without('webhook-timestamp'), [secret])).toEqual({ ok: false, reason: 'no webhook-timestamp header' });
    expect(check('standard_webhooks', BODY, { ...headers, 'webhook-timestamp': '2026-11-25T12:00:00Z' }, [secret])).toEqual({
      ok: false,
      reason: 'the webhook-timestamp is not a number of seconds since 1970',
    });
    expect(check('standard_webhooks', BODY, { ...headers, 'webhook-signature': 'v2,abc' }, [secret])).toEqual({
      ok: false,
      reason: 'the webhook-signature header has no v1 signature (entries look like v1,<base64>)',
    });
    expect(check('standard_webhooks', BODY, { ...headers, 'webhook-signature': 'v1,@@@' }, [secret]).ok).toBe(false);
    expect(check('standard_webhooks', BODY, { ...headers, 'webhook-signature': 'x'.repeat(MAX_SIGNATURE_HEADER_LENGTH + 1) }, [secret])).toEqual({
      ok: false,
      reason: `the webhook-signature header is longer than ${MAX_SIGNATURE_HEADER_LENGTH} characters`,
    });
    const many = Array.from({ length: MAX_SIGNATURE_ENTRIES }, () => 'v1,AAAA').join(' ');
    expect(check('standard_webhooks', BODY, { ...headers, 'webhook-signature': `${many} ${headers['webhook-signature']}` }, [secret])).toEqual({
      ok: false,
      reason: `the webhook-signature header has more than ${MAX_SIGNATURE_ENTRIES} signatures`,
    });
    expect(check('standard_webhooks', BODY, headers, ['not base64!'])).toEqual({
      ok: false,
      reason: 'the signing secret is not a Standard Webhooks secret (whsec_ followed by base64)',
    });
    expect(check('standard_webhooks', BODY, headers, [])).toEqual({ ok: false, reason: 'no signing secret is configured for this workflow' });
  });

  it('never puts a secret or the expected signature in a reason', () => {
    const reasons = [
      check('standard_webhooks', tampered(BODY), signed(BODY), [secret]),
      check('stripe', tampered(BODY), sign('stripe', secret, BODY, { now: NOW }), [secret]),
      check('github', tampered(BODY), sign('github', secret, BODY, { now: NOW }), [secret]),
    ].map((result) => (result.ok ? '' : result.reason));
    const expected = sign('standard_webhooks', secret, BODY, { now: NOW, id: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W' })['webhook-signature']!;
    for (const reason of reasons) {
      expect(reason).not.toContain(secret);
      expect(reason).not.toContain('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
      expect(reason).not.toContain(expected.slice(3));
    }
  });
});

describe('Stripe', () => {
  const secret = 'whsec_test_5f1b0d3c8e2a4b6c9d7e0f1a2b3c4d5e';
  /** Stripe's documented recipe: HMAC-SHA256 of "<t>.<body>" keyed by the signing secret, in hex. */
  function stripeHeader(body: Buffer, withSecret = secret, timestamp = now, extra = '') {
    const mac = createHmac('sha256', withSecret).update(`${timestamp}.`).update(body).digest('hex');
    return { 'stripe-signature': `t=${timestamp},v1=${mac}${extra}` };
  }

  it('accepts a signature made by the documented recipe, and our signer agrees with it', () => {
    expect(check('stripe', BODY, stripeHeader(BODY), [secret])).toEqual({ ok: true });
    expect(sign('stripe', secret, BODY, { now: NOW })).toEqual(stripeHeader(BODY));
    // A test-mode v0 entry is ignored; spaces after commas are allowed.
    const header = stripeHeader(BODY)['stripe-signature'].replace(',', ', v0=abc, ');
    expect(check('stripe', BODY, { 'stripe-signature': header }, [secret]).ok).toBe(true);
  });

  it('refuses a tampered byte, and a timestamp other than the signed one', () => {
    expect(check('stripe', tampered(BODY, 0), stripeHeader(BODY), [secret]).ok).toBe(false);
    const forged = stripeHeader(BODY)['stripe-signature'].replace(`t=${now}`, `t=${now + 1}`);
    expect(check('stripe', BODY, { 'stripe-signature': forged }, [secret]).ok).toBe(false);
  });

  it('refuses an old and a future timestamp', () => {
    expect(check('stripe', BODY, stripeHeader(BODY, secret, now - 7 * 60), [secret])).toEqual({
      ok: false,
      reason: 'the Stripe-Signature timestamp is 7 minutes old; the tolerance is 5 minutes',
    });
    expect(check('stripe', BODY, stripeHeader(BODY, secret, now + 3 * 3600), [secret])).toMatchObject({ reason: expect.stringContaining('3 hours in the future') });
  });

  it('accepts either secret while one is rotated out, and either of two v1 signatures', () => {
    const old = 'whsec_old_secret_being_rotated_out';
    expect(check('stripe', BODY, stripeHeader(BODY, old), [secret, old]).ok).toBe(true);
    expect(check('stripe', BODY, stripeHeader(BODY, secret), [secret, old]).ok).toBe(true);
    // Stripe sends one v1 per active secret while the account rolls its secret.
    const otherMac = createHmac('sha256', old).update(`${now}.`).update(BODY).digest('hex');
    expect(check('stripe', BODY, stripeHeader(BODY, secret, now, `,v1=${otherMac}`), [old]).ok).toBe(true);
  });

  it('explains missing and malformed headers', () => {
    expect(check('stripe', BODY, {}, [secret])).toEqual({ ok: false, reason: 'no Stripe-Signature header' });
    expect(check('stripe', BODY, { 'stripe-signature': 'v1=abc' }, [secret])).toEqual({ ok: false, reason: 'the Stripe-Signature header has no timestamp (t=...)' });
    expect(check('stripe', BODY, { 'stripe-signature': `t=${now}` }, [secret])).toEqual({ ok: false, reason: 'the Stripe-Signature header has no v1 signature' });
    expect(check('stripe', BODY, { 'stripe-signature': `t=${now},t=${now},v1=ab` }, [secret])).toEqual({
      ok: false,
      reason: 'the Stripe-Signature header has more than one timestamp (t=)',
    });
    expect(check('stripe', BODY, { 'stripe-signature': 'garbage' }, [secret])).toEqual({
      ok: false,
      reason: 'the Stripe-Signature header is not a list of key=value pairs (t=...,v1=...)',
    });
    expect(check('stripe', BODY, { 'stripe-signature': `t=soon,v1=${'a'.repeat(64)}` }, [secret])).toEqual({
      ok: false,
      reason: 'the Stripe-Signature timestamp is not a number of seconds since 1970',
    });
    expect(check('stripe', BODY, { 'stripe-signature': `t=${now},v1=not-hex` }, [secret]).ok).toBe(false);
  });
});

describe('GitHub', () => {
  it("accepts GitHub's published example", () => {
    // https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries#testing-the-webhook-payload-validation
    const headers = { 'x-hub-signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17' };
    expect(check('github', Buffer.from('Hello, World!'), headers, ["It's a Secret to Everybody"])).toEqual({ ok: true });
    expect(sign('github', "It's a Secret to Everybody", 'Hello, World!', { now: NOW })).toEqual(headers);
    expect(check('github', Buffer.from('Hello, World?'), headers, ["It's a Secret to Everybody"]).ok).toBe(false);
  });

  it('has no timestamp, accepts either of two secrets, and explains malformed headers', () => {
    const secret = generateSigningSecret();
    const old = 'the old secret';
    const headers = sign('github', old, BODY, { now: NOW });
    // No timestamp: a delivery signed long ago still verifies (GitHub's redeliveries do).
    expect(check('github', BODY, headers, [secret, old], new Date('2030-01-01T00:00:00Z')).ok).toBe(true);
    expect(check('github', tampered(BODY, BODY.length - 1), headers, [secret, old]).ok).toBe(false);
    expect(check('github', BODY, headers, [secret]).ok).toBe(false);
    expect(check('github', BODY, {}, [secret])).toEqual({ ok: false, reason: 'no X-Hub-Signature-256 header' });
    expect(check('github', BODY, { 'x-hub-signature-256': 'sha1=abc' }, [secret])).toEqual({
      ok: false,
      reason: 'the X-Hub-Signature-256 header is not sha256= followed by 64 hexadecimal digits',
    });
  });
});

describe('signing secrets', () => {
  it('generates whsec_ secrets of 24 random bytes that every scheme accepts', () => {
    const secret = generateSigningSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(generateSigningSecret()).not.toBe(secret);
    for (const scheme of ['standard_webhooks', 'stripe', 'github'] as const) {
      expect(signingSecretProblem(scheme, secret)).toBeNull();
      expect(check(scheme, BODY, sign(scheme, secret, BODY, { now: NOW }), [secret])).toEqual({ ok: true });
    }
    // The reference library takes our generated secret too.
    expect(() => new Webhook(secret).verify(BODY.toString('utf8'), sign('standard_webhooks', secret, BODY, { now: new Date() }))).not.toThrow();
  });

  it('says when a secret cannot sign for a scheme', () => {
    expect(signingSecretProblem('standard_webhooks', 'plain words')).toMatch(/whsec_ followed by base64/);
    expect(signingSecretProblem('github', 'plain words')).toBeNull();
    expect(signingSecretProblem('stripe', '')).toBe('The signing secret is empty');
  });
});

describe('properties', () => {
  const scheme = fc.constantFrom('standard_webhooks' as const, 'stripe' as const, 'github' as const);
  const headerNames = ['webhook-id', 'webhook-timestamp', 'webhook-signature', 'stripe-signature', 'x-hub-signature-256'];
  /** Header values near the formats (pieces of real ones) and anything at all. */
  const headerValue = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.array(fc.constantFrom('v1,', 't=', 'v1=', 'sha256=', ',', ' ', '=', String(now), 'AAAA', 'ff'.repeat(32), 'whsec_'), { maxLength: 12 }).map((parts) => parts.join('')),
    fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }),
  );
  const headers = fc.dictionary(fc.constantFrom(...headerNames), headerValue);

  it('never throws, whatever the headers and body, and refuses what it cannot verify', () => {
    fc.assert(
      fc.property(scheme, fc.uint8Array({ maxLength: 300 }), headers, fc.array(fc.string({ maxLength: 60 }), { maxLength: 3 }), (s, body, given, secrets) => {
        const result = verifySignature(s, { body, headers: given }, secrets, { now: NOW });
        expect(result.ok).toBe(false);
        if (!result.ok) for (const secret of secrets.filter((x) => x.length > 12)) expect(result.reason).not.toContain(secret);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts every body signed with any of the secrets, and refuses it after any one byte changes', () => {
    fc.assert(
      fc.property(scheme, fc.uint8Array({ minLength: 1, maxLength: 500 }), fc.nat(), fc.integer({ min: 1, max: 255 }), fc.integer({ min: -300, max: 300 }), (s, bytes, at, flip, skew) => {
        const body = Buffer.from(bytes);
        const secrets = [generateSigningSecret(), generateSigningSecret()];
        const signedAt = new Date(NOW.getTime() + skew * 1000);
        const headers = sign(s, secrets[at % 2]!, body, { now: signedAt });
        expect(verifySignature(s, { body, headers }, secrets, { now: NOW })).toEqual({ ok: true });
        const changed = Buffer.from(body);
        changed[at % body.length]! ^= flip;
        expect(verifySignature(s, { body: changed, headers }, secrets, { now: NOW }).ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
