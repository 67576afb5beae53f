import { V7Generator } from 'uuidv7';
import { z } from 'zod';
import { type AuditRow, type Db, type Prisma, uuidv7Floor } from '../db/index.ts';
import type { SessionUser } from './accounts.ts';

/**
 * The audit log: who did what, when. Everything that changes who may do what, what runs live, or
 * what runs at all writes one event, in the same transaction as the change:
 *
 *   await db.$transaction(async (tx) => {
 *     ...the change...
 *     await audit(tx, { actor: userActor(ctx.user), action: 'token.created', target: { type: 'token', id, label } });
 *   });
 *
 * The run engine's prepared-SQL writes use `engineDb.audit.insert(auditRow(...))` inside their
 * group commit write instead. Details are bounded and never hold secrets: keys that look like
 * one (password, secret, token, signature, hash, key material) are replaced by "[redacted]".
 */

/** Every action the log knows, as stable strings (filters and tests use them; the UI words them). */
export const AuditAction = z.enum([
  'auth.sign_in',
  'auth.sign_in_failed',
  'user.created',
  'user.invited',
  'user.invitation_accepted',
  'user.role_changed',
  'user.disabled',
  'user.enabled',
  'user.password_reset',
  'user.unlocked',
  'token.created',
  'token.revoked',
  'secret.created',
  'secret.rotated',
  'secret.signed_test',
  'secret.deleted',
  'release.deployed',
  'release.restored',
  'release.taken_off',
  'workflow.deleted',
  'recurring.switched',
  'scheduler.paused',
  'scheduler.resumed',
  'run.cancelled',
  'runs.cancelled_all',
  'batch.cancelled',
  'settings.changed',
]);
export type AuditAction = z.infer<typeof AuditAction>;

/**
 * Who acted. A user by id, with the email they had then; an API caller (by token once callers
 * have tokens); the command line; the server itself; someone not signed in (a refused sign-in).
 */
export const Actor = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('user'), userId: z.string().min(1).max(64), email: z.string().max(254) }),
  z.object({ kind: z.literal('api'), tokenId: z.string().max(64).nullable(), label: z.string().max(200).nullable() }),
  z.object({ kind: z.literal('cli') }),
  z.object({ kind: z.literal('system') }),
  z.object({ kind: z.literal('anonymous') }),
]);
export type Actor = z.infer<typeof Actor>;

export const CLI_ACTOR: Actor = { kind: 'cli' };
export const SYSTEM_ACTOR: Actor = { kind: 'system' };
export const ANONYMOUS_ACTOR: Actor = { kind: 'anonymous' };
/** A caller of the workflow endpoints without a token (the lead passes the token's id and label once there are tokens). */
export const API_ACTOR: Actor = { kind: 'api', tokenId: null, label: null };
export const userActor = (user: Pick<SessionUser, 'id' | 'email'>): Actor => ({ kind: 'user', userId: user.id, email: user.email });

/** The actor in a sentence ("Cancelled by ada@example.com"): email, "api" (or "api token <label>"), "cli", "system", "anonymous". */
export function actorName(actor: Actor): string {
  switch (actor.kind) {
    case 'user':
      return actor.email;
    case 'api':
      return actor.label ? `api token ${actor.label}` : 'api';
    default:
      return actor.kind;
  }
}

export const AuditTargetType = z.enum(['user', 'token', 'secret', 'release', 'workflow', 'recurring_job', 'environment', 'run', 'batch', 'settings']);
export type AuditTargetType = z.infer<typeof AuditTargetType>;

/** What the action was done to, by stable id; the label is how it was called then (an email, a name). */
export interface AuditTarget {
  type: AuditTargetType;
  id: string;
  label?: string | null;
}

export type AuditDetails = Record<string, unknown>;

export interface AuditInput {
  actor: Actor;
  action: AuditAction;
  target?: AuditTarget | null;
  /** Small facts about the change ({ from: 'builder', to: 'admin' }); bounded to 4 KB as JSON. */
  details?: AuditDetails;
  /** When; the server's clock by default (tests inject one). */
  at?: Date;
}

/** The most an event's details may weigh as JSON, and the bounds applied before that. */
export const MAX_DETAILS_CHARS = 4096;
const MAX_STRING = 500;
const MAX_ITEMS = 50;
const MAX_DEPTH = 4;
const SECRET_KEY = /pass(word)?|secret|token|signature|hash|private|credential|api_?key|^key$/i;

/** A copy of `value` with secret-looking keys redacted and strings, lists and nesting cut to size. */
function bounded(value: unknown, depth: number): unknown {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  if (value instanceof Date) return value.toISOString();
  if (depth >= MAX_DEPTH) return '…';
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((item) => bounded(item, depth + 1));
    if (value.length > MAX_ITEMS) items.push(`… ${value.length - MAX_ITEMS} more`);
    return items;
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value as Record<string, unknown>).slice(0, MAX_ITEMS)) {
      // Ids of tokens and secrets are fine to keep: only their values are secret.
      out[key] = SECRET_KEY.test(key) && !/Id$|_id$/.test(key) ? '[redacted]' : bounded(inner, depth + 1);
    }
    return out;
  }
  return String(value).slice(0, MAX_STRING);
}

/** The details as stored: null when empty, bounded JSON otherwise. */
export function detailsJson(details: AuditDetails | undefined): string | null {
  if (!details || Object.keys(details).length === 0) return null;
  const json = JSON.stringify(bounded(details, 0));
  return json.length > MAX_DETAILS_CHARS ? JSON.stringify({ truncated: true, size: json.length }) : json;
}

const ids = new V7Generator();

/** The stored row of an event (validated: an unknown action or actor is a bug, and throws). */
export function auditRow(input: AuditInput): AuditRow {
  const at = input.at ?? new Date();
  const action = AuditAction.parse(input.action);
  const actor = Actor.parse(input.actor);
  const target = input.target ?? null;
  return {
    id: ids.generateOrResetCore(at.getTime(), 10_000).toString(),
    at,
    actorKind: actor.kind,
    actorId: actor.kind === 'user' ? actor.userId : actor.kind === 'api' ? actor.tokenId : null,
    actorName: actor.kind === 'user' ? actor.email : actor.kind === 'api' ? actor.label : null,
    action,
    targetType: target ? AuditTargetType.parse(target.type) : null,
    targetId: target ? target.id.slice(0, 64) : null,
    targetLabel: target?.label ? target.label.slice(0, 254) : null,
    details: detailsJson(input.details),
  };
}

/** Anything with the audit table: the Prisma client or an interactive transaction's `tx`. */
export type AuditWriter = Pick<Prisma.TransactionClient, 'auditEvent'>;

/** Writes one event; call it with the transaction that makes the change, so both commit or neither. */
export async function audit(tx: AuditWriter, input: AuditInput): Promise<void> {
  await tx.auditEvent.create({ data: auditRow(input) });
}

// ---- reading the log (the Audit log page) ----

/** Who to show: a user (by id), or every event of the command line, API callers or the system. */
export const ActorFilter = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('user'), userId: z.string().min(1).max(64) }),
  z.object({ kind: z.enum(['api', 'cli', 'system', 'anonymous']) }),
]);

export const AuditListInput = z.object({
  actor: ActorFilter.optional(),
  /** One or more actions (any of them). */
  actions: z.array(AuditAction).max(AuditAction.options.length).optional(),
  /** At or after. */
  from: z.date().optional(),
  /** Before. */
  to: z.date().optional(),
  limit: z.number().int().min(1).max(200).default(50),
  /** The id of the last event of the previous page: the next page is older than it. */
  cursor: z.string().max(64).optional(),
});
export type AuditListInput = z.input<typeof AuditListInput>;

/**
 * Events newest first, a page at a time: keyset paging on the UUIDv7 id (no OFFSET), and a date
 * range is an id range, so every page is a range of the primary key or of a (column, id) index.
 */
export async function listAuditEvents(db: Db, raw: AuditListInput) {
  const input = AuditListInput.parse(raw);
  const id: Prisma.StringFilter = {};
  if (input.cursor) id.lt = input.cursor;
  if (input.to) {
    const bound = uuidv7Floor(input.to);
    if (!id.lt || bound < id.lt) id.lt = bound;
  }
  if (input.from) id.gte = uuidv7Floor(input.from);
  const where: Prisma.AuditEventWhereInput = { id };
  if (input.actions && input.actions.length > 0) where.action = { in: input.actions };
  if (input.actor) {
    if (input.actor.kind === 'user') Object.assign(where, { actorKind: 'user', actorId: input.actor.userId });
    else where.actorKind = input.actor.kind;
  }
  const rows = await db.auditEvent.findMany({ where, orderBy: { id: 'desc' }, take: input.limit + 1 });
  const page = rows.slice(0, input.limit).map((row) => ({
    id: row.id,
    at: row.at,
    actor: { kind: row.actorKind as Actor['kind'], id: row.actorId, name: row.actorName },
    action: row.action as AuditAction,
    target: row.targetType ? { type: row.targetType as AuditTargetType, id: row.targetId, label: row.targetLabel } : null,
    details: row.details ? (JSON.parse(row.details) as Record<string, unknown>) : null,
  }));
  const last = page[page.length - 1];
  return { events: page, nextCursor: rows.length > input.limit && last ? last.id : null };
}

/** How long events are kept by default (AUDIT_RETENTION_DAYS). */
export const DEFAULT_AUDIT_RETENTION_DAYS = 365;
