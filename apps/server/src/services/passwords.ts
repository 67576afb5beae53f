import { hash, verify } from '@node-rs/argon2';

export const MIN_PASSWORD_LENGTH = 12;

// @node-rs/argon2 defaults to argon2id with OWASP-recommended costs (19 MiB, 2 passes).
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummyHashMemo: Promise<string> | null = null;

/**
 * Verifying against this when the email is unknown keeps a failed login as slow as a wrong password,
 * so response times do not reveal which emails have accounts. Made on first use, not at start-up.
 */
export function dummyHash(): Promise<string> {
  return (dummyHashMemo ??= hash('switchyard-timing-equaliser'));
}
