import { z } from 'zod';
import { Id } from './ids.ts';

/**
 * How an API workflow's endpoint may be reached: who may call it, how, and whether calls must be
 * signed. Stored on the API event (`data.endpoint`) and frozen into releases with the definition,
 * but the server applies the settings of the *saved* workflow to draft and live calls alike, so
 * locking an endpoint down never waits for a deploy.
 */

/**
 * "none": anyone who knows the URL; "admin_token": an API token made by an admin (Settings) whose
 * scope includes the workflow. ("user_and_admin" comes with app users.)
 */
export const ApiAuth = z.enum(['none', 'admin_token']);
export type ApiAuth = z.infer<typeof ApiAuth>;

/** Signature schemes of webhook providers: Standard Webhooks (Svix and many others), Stripe, GitHub. */
export const SignatureScheme = z.enum(['standard_webhooks', 'stripe', 'github']);
export type SignatureScheme = z.infer<typeof SignatureScheme>;

export const SIGNATURE_SCHEMES: Record<SignatureScheme, { label: string; headers: string[] }> = {
  standard_webhooks: { label: 'Standard Webhooks', headers: ['webhook-id', 'webhook-timestamp', 'webhook-signature'] },
  stripe: { label: 'Stripe', headers: ['stripe-signature'] },
  github: { label: 'GitHub', headers: ['x-hub-signature-256'] },
};

/** At most this many signing secrets per endpoint: the current one and those being rotated out. */
export const MAX_SIGNING_SECRETS = 5;

/** Calls must carry a valid signature made with one of the secrets (stored encrypted, by id). */
export const EndpointSignature = z.object({
  scheme: SignatureScheme,
  secretIds: z.array(Id).min(1, 'Choose a signing secret').max(MAX_SIGNING_SECRETS),
});
export type EndpointSignature = z.infer<typeof EndpointSignature>;

export const HttpMethod = z.enum(['POST', 'GET']);
export type HttpMethod = z.infer<typeof HttpMethod>;

export const EndpointSettings = z.object({
  /** false: only schedules and other workflows run it; calls from outside get 404. */
  exposed: z.boolean().default(true),
  /** GET reads every parameter from the query string; POST reads the body (and parameters marked "from the query string"). */
  method: HttpMethod.default('POST'),
  auth: ApiAuth.default('none'),
  signature: EndpointSignature.nullable().default(null),
  /** "Return 200 if the condition is not met": a false "Only when" answers 200 instead of 400. */
  okWhenSkipped: z.boolean().default(false),
});
export type EndpointSettings = z.infer<typeof EndpointSettings>;

/**
 * What documents saved before endpoint settings existed mean: exposed, POST, no credentials. An
 * absent `endpoint` reads as this, so no caller breaks on upgrade.
 */
export const OPEN_ENDPOINT: EndpointSettings = EndpointSettings.parse({});

/** What a new workflow starts with: an admin token is required. */
export const NEW_ENDPOINT: EndpointSettings = { ...OPEN_ENDPOINT, auth: 'admin_token' };

/** Anyone on the network can run it: exposed, no token and no signature. The editor warns. */
export function isOpenToAnyone(endpoint: EndpointSettings): boolean {
  return endpoint.exposed && endpoint.auth === 'none' && endpoint.signature === null;
}
