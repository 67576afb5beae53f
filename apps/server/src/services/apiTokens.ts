import { createHash, randomBytes } from 'node:crypto';
import { uuidv7 } from 'uuidv7';
import { z } from 'zod';
import type { Db } from '../db/index.ts';
import { type Actor, actorName, audit } from './audit.ts';
import { badRequest, notFound } from './errors.ts';

/** What a token looks like: "sy_" then 32 random bytes (base64url), so a leaked one is recognisable. */
export const TOKEN_PREFIX = 'sy_';
const PREFIX_SHOWN = 10;
/** An instance needs few tokens; the bound keeps the Settings list and lookups small. */
export const MAX_TOKENS = 500;

/** The SHA-256 stored for a token. A fast hash suffices: tokens are 256 random bits, not passwords. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export const TokenLabel = z.string().trim().min(1, 'A label is required').max(100, 'A label has at most 100 characters');

export const CreateTokenInput = z.object({
  label: TokenLabel,
  /** null: every workflow; else the ids of the workflows it may run. */
  workflowIds: z.array(z.string().min(1).max(64)).min(1, 'Choose at least one workflow, or allow all').max(1000).nullable(),
  dataApi: z.boolean().default(false),
});
export type CreateTokenInput = z.input<typeof CreateTokenInput>;

export interface TokenSummary {
  id: string;
  label: string;
  /** The first characters of the token, to tell tokens apart. */
  prefix: string;
  allWorkflows: boolean;
  workflows: { id: string; name: string | null }[];
  dataApi: boolean;
  createdAt: Date;
  createdBy: string;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  revokedBy: string | null;
}

/** Makes a token; its value is in the answer and nowhere else (only its hash is stored). */
export async function createToken(db: Db, raw: CreateTokenInput, by: Actor): Promise<{ token: string; summary: TokenSummary }> {
  const input = CreateTokenInput.parse(raw);
  const workflowIds = input.workflowIds === null ? [] : [...new Set(input.workflowIds)];
  if (workflowIds.length > 0) {
    const found = await db.workflow.findMany({ where: { id: { in: workflowIds } }, select: { id: true } });
    const missing = workflowIds.filter((id) => !found.some((w) => w.id === id));
    if (missing.length > 0) throw badRequest(`No workflow with id ${JSON.stringify(missing[0])}`);
  }
  if ((await db.apiToken.count({ where: { revokedAt: null } })) >= MAX_TOKENS) {
    throw badRequest(`An instance may have at most ${MAX_TOKENS} active tokens: revoke unused ones first`);
  }
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const id = uuidv7();
  const row = await db.$transaction(async (tx) => {
    const created = await tx.apiToken.create({
      data: {
        id,
        label: input.label,
        tokenHash: hashToken(token),
        prefix: token.slice(0, PREFIX_SHOWN),
        allWorkflows: input.workflowIds === null,
        workflowIds: JSON.stringify(workflowIds),
        dataApi: input.dataApi,
        createdAt: new Date(),
        createdBy: actorName(by),
      },
    });
    await audit(tx, { actor: by, action: 'token.created', target: { type: 'token', id, label: input.label }, details: { allWorkflows: input.workflowIds === null, workflowIds } });
    return created;
  });
  const [summary] = await summaries(db, [row]);
  return { token, summary: summary! };
}

export async function listTokens(db: Db): Promise<TokenSummary[]> {
  const rows = await db.apiToken.findMany({ orderBy: [{ revokedAt: { sort: 'asc', nulls: 'first' } }, { id: 'desc' }], take: MAX_TOKENS * 2 });
  return summaries(db, rows);
}

/** Revokes a token: the next call carrying it gets 401, in every process (calls look it up each time). */
export async function revokeToken(db: Db, id: string, by: Actor): Promise<TokenSummary> {
  const updated = await db.$transaction(async (tx) => {
    const row = await tx.apiToken.findUnique({ where: { id } });
    if (!row) throw notFound('There is no such token');
    if (row.revokedAt) return row;
    await audit(tx, { actor: by, action: 'token.revoked', target: { type: 'token', id, label: row.label } });
    return tx.apiToken.update({ where: { id }, data: { revokedAt: new Date(), revokedBy: actorName(by) } });
  });
  const [summary] = await summaries(db, [updated]);
  return summary!;
}

type TokenRow = Awaited<ReturnType<Db['apiToken']['findMany']>>[number];

async function summaries(db: Db, rows: TokenRow[]): Promise<TokenSummary[]> {
  const ids = new Set(rows.flatMap((row) => JSON.parse(row.workflowIds) as string[]));
  const names = new Map((await db.workflow.findMany({ where: { id: { in: [...ids] } }, select: { id: true, name: true } })).map((w) => [w.id, w.name]));
  return rows.map((row) => ({
    id: row.id,
    label: row.label,
    prefix: row.prefix,
    allWorkflows: row.allWorkflows,
    // A workflow deleted since keeps its id in the scope, shown without a name.
    workflows: (JSON.parse(row.workflowIds) as string[]).map((id) => ({ id, name: names.get(id) ?? null })),
    dataApi: row.dataApi,
    createdAt: row.createdAt,
    createdBy: row.createdBy,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
    revokedBy: row.revokedBy,
  }));
}
