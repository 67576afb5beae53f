import { randomUUID } from 'node:crypto';
import { SecretName, SecretPurpose, SecretValue, type WorkflowGraph, endpointSettings, isEventNode } from '@switchyard/workflow';
import { z } from 'zod';
import { type Db, isRecordMissing, isUniqueViolation } from '../db/index.ts';
import { withBusyRetry } from './busy.ts';
import { conflict, notFound } from './errors.ts';
import type { SecretBox } from './secretBox.ts';
import { generateSigningSecret } from './signatures.ts';
import { type Actor, actorName, audit } from './audit.ts';
import { fromRow } from './workflows.ts';

/**
 * The encrypted secrets store. Values are sealed by the SecretBox and leave the server only once:
 * in the answer to the create or rotate that set them. Everything else (lists, errors, logs) sees
 * ids, names and dates. Workflows refer to secrets by id, so a rotation changes no workflow.
 */

/** How long a decrypted value is kept in memory for the webhook path; a rotation here clears it at once. */
export const SECRET_CACHE_MS = 5000;
/** Secrets kept at most (each is a row and, on the hot path, a decryption). */
export const MAX_SECRETS = 1000;

export const SecretId = z.string().min(1).max(100);

export const CreateSecretInput = z.object({
  name: SecretName,
  purpose: SecretPurpose.default('signing'),
  /** The value to store; left out, one is generated (`whsec_` and 24 random bytes in base64). */
  value: SecretValue.optional(),
});
export type CreateSecretInput = z.input<typeof CreateSecretInput>;

export const RotateSecretInput = z.object({
  id: SecretId,
  /** The new value; left out, one is generated. */
  value: SecretValue.optional(),
});
export type RotateSecretInput = z.input<typeof RotateSecretInput>;

/** A workflow whose endpoint checks signatures with a secret. */
export interface SecretUser {
  id: string;
  name: string;
}

/** What anyone allowed to list secrets sees: never the value. */
export interface SecretSummary {
  id: string;
  name: string;
  purpose: SecretPurpose;
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  /** Saved workflows whose endpoint signature refers to it. */
  usedBy: SecretUser[];
}

/** The only answer that carries a value: to the create or rotate that set it. */
export interface RevealedOnce {
  secret: SecretSummary;
  value: string;
}

type SummaryRow = { id: string; name: string; purpose: string; createdAt: Date; createdBy: string; updatedAt: Date };
const SUMMARY = { id: true, name: true, purpose: true, createdAt: true, createdBy: true, updatedAt: true } as const;
const GONE = 'This secret does not exist (it may have been deleted)';

/** Secret ids are identifier-safe: a workflow's endpoint settings refer to them with the kernel's `Id`. */
const newSecretId = () => `sec_${randomUUID().replace(/-/g, '')}`;

export class SecretStore {
  readonly #cache = new Map<string, { value: string; until: number }>();
  readonly #loading = new Map<string, Promise<void>>();

  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async list(): Promise<SecretSummary[]> {
    const [rows, users] = await Promise.all([this.db.secret.findMany({ select: SUMMARY, orderBy: { name: 'asc' } }), secretUsers(this.db)]);
    return rows.map((row) => summary(row, users));
  }

  async create(input: CreateSecretInput, by: Actor): Promise<RevealedOnce> {
    const createdBy = actorName(by);
    const { name, purpose, value: given } = CreateSecretInput.parse(input);
    const value = given ?? generateSigningSecret();
    const id = newSecretId();
    const sealed = this.box.seal(value, id);
    const row = await withBusyRetry(() =>
      this.db.$transaction(async (tx) => {
        if ((await tx.secret.count()) >= MAX_SECRETS) throw conflict(`There are already ${MAX_SECRETS} secrets: delete some first`);
        const created = await guarded(name, () => tx.secret.create({ data: { id, name, purpose, ...bytes(sealed), createdBy }, select: SUMMARY }));
        await audit(tx, { actor: by, action: 'secret.created', target: { type: 'secret', id, label: name }, details: { purpose } });
        return created;
      }),
    );
    return { secret: summary(row, new Map()), value };
  }

  /** Replaces the value, keeping the id: workflows that refer to it need no edit. */
  async rotate(input: RotateSecretInput, by: Actor): Promise<RevealedOnce> {
    const { id, value: given } = RotateSecretInput.parse(input);
    const value = given ?? generateSigningSecret();
    const sealed = this.box.seal(value, id);
    let row;
    try {
      row = await withBusyRetry(() =>
        this.db.$transaction(async (tx) => {
          const updated = await tx.secret.update({ where: { id }, data: bytes(sealed), select: SUMMARY });
          await audit(tx, { actor: by, action: 'secret.rotated', target: { type: 'secret', id, label: updated.name } });
          return updated;
        }),
      );
    } catch (error) {
      if (isRecordMissing(error)) throw notFound(GONE);
      throw error;
    }
    this.#cache.delete(id);
    return { secret: summary(row, await secretUsers(this.db)), value };
  }

  /** Deletes a secret no saved workflow's endpoint refers to; refused otherwise, naming the workflows. */
  async delete(id: string, by: Actor): Promise<void> {
    await withBusyRetry(() =>
      this.db.$transaction(async (tx) => {
        const row = await tx.secret.findUnique({ where: { id }, select: { name: true } });
        if (!row) throw notFound(GONE);
        const users = (await secretUsers(tx)).get(id) ?? [];
        if (users.length > 0) {
          const names = users.map((w) => `"${w.name}"`).join(', ');
          throw conflict(`"${row.name}" is used to check the signatures of ${names}: choose another secret there first`).because('in_use');
        }
        await tx.secret.delete({ where: { id } });
        await audit(tx, { actor: by, action: 'secret.deleted', target: { type: 'secret', id, label: row.name } });
      }),
    );
    this.#cache.delete(id);
  }

  /** The value of one secret, for server-side use only (never over tRPC). */
  async reveal(id: string): Promise<string> {
    const [value] = await this.revealMany([id]);
    if (value === undefined) throw notFound(GONE);
    return value;
  }

  /**
   * The values of the secrets that exist among `ids`, in the order given (missing ids are left
   * out): the signing secrets of an endpoint, for every signed call. Decrypted values are kept in
   * memory for SECRET_CACHE_MS, so the webhook path does not query and decrypt on every call.
   */
  async revealMany(ids: readonly string[]): Promise<string[]> {
    const now = this.clock().getTime();
    const missing = ids.filter((id) => (this.#cache.get(id)?.until ?? 0) <= now);
    if (missing.length > 0) {
      // One read for every call that finds the same secrets expired at once (a busy endpoint has hundreds in flight).
      const key = missing.join(',');
      let loading = this.#loading.get(key);
      if (!loading) {
        loading = (async () => {
          const rows = await this.db.secret.findMany({ where: { id: { in: missing } } });
          for (const row of rows) this.#cache.set(row.id, { value: this.box.open(row, row.id), until: now + SECRET_CACHE_MS });
          for (const id of missing) if (!rows.some((row) => row.id === id)) this.#cache.delete(id);
        })().finally(() => this.#loading.delete(key));
        this.#loading.set(key, loading);
      }
      await loading;
    }
    return ids.flatMap((id) => {
      const entry = this.#cache.get(id);
      return entry ? [entry.value] : [];
    });
  }

  /** The ids among `ids` that name no secret: a workflow's endpoint settings must not refer to those. */
  async missing(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const found = new Set((await this.db.secret.findMany({ where: { id: { in: [...ids] } }, select: { id: true } })).map((r) => r.id));
    return ids.filter((id) => !found.has(id));
  }

  toJSON(): string {
    return 'SecretStore';
  }
}

/** The secret ids a workflow's endpoint checks signatures with (none for a recurring event). */
export function signingSecretIds(graph: WorkflowGraph): string[] {
  return endpointSettings(graph.nodes.find(isEventNode))?.signature?.secretIds ?? [];
}

/** Which saved workflows refer to each secret. */
async function secretUsers(db: Pick<Db, 'workflow'>): Promise<Map<string, SecretUser[]>> {
  const users = new Map<string, SecretUser[]>();
  for (const row of await db.workflow.findMany({ orderBy: { name: 'asc' } })) {
    const workflow = fromRow(row);
    for (const id of signingSecretIds(workflow.graph)) users.set(id, [...(users.get(id) ?? []), { id: workflow.id, name: workflow.name }]);
  }
  return users;
}

function summary(row: SummaryRow, users: Map<string, SecretUser[]>): SecretSummary {
  return { ...row, purpose: SecretPurpose.parse(row.purpose), usedBy: users.get(row.id) ?? [] };
}

function bytes(sealed: ReturnType<SecretBox['seal']>) {
  return {
    ciphertext: new Uint8Array(sealed.ciphertext),
    iv: new Uint8Array(sealed.iv),
    authTag: new Uint8Array(sealed.authTag),
    keyId: sealed.keyId,
  };
}

async function guarded<T>(name: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`A secret called "${name}" already exists`);
    throw error;
  }
}
