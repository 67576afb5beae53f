import type { EndpointSignature } from '@switchyard/workflow';
import type { SecretStore } from './secrets.ts';
import { type SignatureResult, type SignedRequest, verifySignature } from './signatures.ts';

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
