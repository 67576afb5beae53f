const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * A short random id for nodes, edges, parameters and entries. `crypto.randomUUID` exists only on
 * secure origins (https or localhost); `getRandomValues` works on a plain-http LAN address too.
 */
export function newId(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(10));
  let id = '';
  for (const byte of bytes) id += ALPHABET[byte % ALPHABET.length];
  return `${prefix}_${id}`;
}
