import type { EndpointSignature } from '@switchyard/workflow';
import type { SecretStore } from './secrets.ts';
import { type SignatureResult, type SignedRequest, sign, verifySignature } from './signatures.ts';
import { notFound } from './errors.ts';

/**
 * The check a workflow endpoint makes before any run exists: no signature configured passes; else
 * the request must carry a valid signature made with one of the endpoint's secrets (read from the
 * encrypted store, cached for a few seconds). A failure's reason is safe to send to the caller.
 */
export async function checkEndpointSignature(
  secrets: Pick<SecretStore, 'revealMany'>,
  signature: EndpointSignature | null,
  request: SignedRequest,
  now: Date,
): Promise<SignatureResult> {
  if (!signature) return { ok: true };
  const values = await secrets.revealMany(signature.secretIds);
  // Every configured secret was deleted behind the workflow's back (deleting refuses while in use,
  // but an imported workflow may refer to secrets this instance never had).
  if (values.length === 0) return { ok: false, reason: "none of this workflow's signing secrets exists any more: choose one in the editor" };
  return verifySignature(signature.scheme, request, values, { now });
}

/**
 * The signature headers for `body` made with the endpoint's first existing secret, as its sender
 * would make them: for the editor's test panel, whose browser never sees a secret. Whoever may call
 * this can sign any body for that endpoint for the next 5 minutes, so expose it only to those who
 * may change the endpoint's settings anyway (builders and admins).
 */
export async function signForTest(
  secrets: Pick<SecretStore, 'revealMany'>,
  signature: EndpointSignature,
  body: Uint8Array | string,
  now: Date,
): Promise<Record<string, string>> {
  const [secret] = await secrets.revealMany(signature.secretIds);
  if (secret === undefined) throw notFound("None of this workflow's signing secrets exists any more: choose one in the editor");
  return sign(signature.scheme, secret, body, { now });
}
