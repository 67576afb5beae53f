import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { type Config, ConfigError, decodeSecretKey } from '../config.ts';

/**
 * Encryption of stored secrets (signing secrets now; API keys and SMTP passwords later) with
 * AES-256-GCM: a fresh 12-byte IV per value, and the secret's id as additional authenticated data,
 * so a ciphertext copied onto another row does not decrypt. The key comes from SECRET_KEY, or else
 * from `<DATA_DIR>/secret.key`, generated on first start.
 */

export interface SealedValue {
  ciphertext: Uint8Array;
  iv: Uint8Array;
  authTag: Uint8Array;
  /** Which key sealed it: a fingerprint of the key, never the key. */
  keyId: string;
}

export const KEY_FILE_NAME = 'secret.key';
const IV_BYTES = 12;

export class SecretBox {
  readonly keyId: string;
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('The secret key must be 32 bytes');
    this.#key = Buffer.from(key);
    // A fingerprint, so a value sealed under another key is named as such instead of failing obscurely.
    this.keyId = createHash('sha256').update('switchyard secret key id\0').update(key).digest('hex').slice(0, 16);
  }

  /** Encrypts `plaintext`, bound to `context` (the secret's id): it opens only with the same context. */
  seal(plaintext: string, context: string): SealedValue {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { ciphertext, iv, authTag: cipher.getAuthTag(), keyId: this.keyId };
  }

  /** Decrypts a value sealed by `seal` with the same key and context; throws when it was tampered with. */
  open(sealed: SealedValue, context: string): string {
    if (sealed.keyId !== this.keyId) {
      throw new Error(
        `A stored secret was encrypted with key ${sealed.keyId}, but this server's key is ${this.keyId}: SECRET_KEY or ${KEY_FILE_NAME} changed. Restore the previous key.`,
      );
    }
    const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(sealed.iv));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(sealed.authTag));
    try {
      return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext)), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('A stored secret failed its integrity check: its row was changed outside Switchyard');
    }
  }

  toJSON(): string {
    return `SecretBox ${this.keyId}`;
  }
}

/**
 * The server's SecretBox: SECRET_KEY when set, else the key file in the data folder, generated
 * (mode 0600) on first start with one loud warning, since losing it loses every stored secret.
 */
export function openSecretBox(config: Pick<Config, 'secretKey' | 'dataDir'>, log: Pick<Logger, 'warn'>): SecretBox {
  if (config.secretKey) return new SecretBox(config.secretKey.bytes);
  const file = path.join(config.dataDir, KEY_FILE_NAME);
  const existing = readKeyFile(file);
  if (existing) {
    // A key file copied in by hand (a restore) may be readable by others: readable by its owner only, as when made here.
    try {
      chmodSync(file, 0o600);
    } catch (error) {
      log.warn(`Could not make ${file} readable by its owner only: ${(error as Error).message}`);
    }
    return new SecretBox(existing);
  }
  const key = randomBytes(32);
  try {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    // 'wx': two processes starting on the same data at once cannot both write a key.
    writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return new SecretBox(readKeyFile(file)!);
    throw new ConfigError(`Cannot write the secret key file ${file}: ${(error as Error).message}. Make the data folder writable, or set SECRET_KEY.`);
  }
  log.warn(
    `Generated the key that encrypts stored secrets in ${file}. BACK IT UP with the database: losing it loses every stored secret. (Set SECRET_KEY to manage the key yourself.)`,
  );
  return new SecretBox(key);
}

/** The key in `file`; null when there is no file; a clear start-up error when it is unreadable or malformed. */
function readKeyFile(file: string): Buffer | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ConfigError(`Cannot read the secret key file ${file}: ${(error as Error).message}`);
  }
  const key = decodeSecretKey(text.trim());
  if (!key) throw new ConfigError(`The secret key file ${file} does not hold a 32-byte key in base64 or hex: restore it from your backup`);
  return key;
}
