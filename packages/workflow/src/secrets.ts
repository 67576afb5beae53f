import { z } from 'zod';

/**
 * What a stored secret looks like to the people who name and paste it: shared by the server (which
 * stores it encrypted, apps/server/src/services/secrets.ts) and the Settings page (which checks a
 * name or a pasted value before sending it). Workflows refer to secrets by id (`EndpointSignature`).
 */

/** What a secret is for. The next issues add `api_key`, `smtp_password`... */
export const SecretPurpose = z.enum(['signing']);
export type SecretPurpose = z.infer<typeof SecretPurpose>;

export const MAX_SECRET_NAME_LENGTH = 100;
export const MAX_SECRET_VALUE_LENGTH = 4096;

export const SecretName = z
  .string()
  .trim()
  .min(1, 'Give the secret a name')
  .max(MAX_SECRET_NAME_LENGTH, `A secret's name is at most ${MAX_SECRET_NAME_LENGTH} characters`)
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]*$/, "A secret's name cannot contain control characters");

/** A pasted value: surrounding spaces and line breaks (copy-paste leftovers) are dropped. */
export const SecretValue = z
  .string()
  .trim()
  .min(1, 'The value is empty: paste the secret, or leave it out to generate one')
  .max(MAX_SECRET_VALUE_LENGTH, `A secret is at most ${MAX_SECRET_VALUE_LENGTH} characters`);
