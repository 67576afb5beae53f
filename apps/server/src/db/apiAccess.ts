import type Database from 'better-sqlite3';
import { type Sqlite, sqlDate } from './sqlite.ts';

export interface TokenRow {
  id: string;
  allWorkflows: boolean;
  /** JSON array of workflow ids. */
  workflowIds: string;
  revoked: boolean;
}

export interface InstanceSettingsRow {
  apiEnabled: boolean;
  rateLimitPerToken: number | null;
  rateLimitPerAddress: number | null;
  /** JSON array of origins. */
  corsOrigins: string;
}

export interface IdempotencyRow {
  bodyHash: string;
  runId: string;
  state: 'running' | 'done';
  owner: string;
  statusCode: number | null;
  response: string | null;
  expiresAt: string;
}

export interface NewIdempotencyKey {
  workflowId: string;
  environment: string;
  key: string;
  bodyHash: string;
  runId: string;
  owner: string;
  now: Date;
  expiresAt: Date;
}

/**
 * The reads and writes a workflow call makes for the Workflow API: its token, the instance's API
 * settings, its idempotency key. Prepared statements on the engine's connection, like the
 * definition lookups, so revoking a token or switching the API off is seen by the next call in
 * every process.
 */
export class ApiAccessStore {
  private readonly tokenStmt: Database.Statement<[string], { id: string; allWorkflows: number; workflowIds: string; revokedAt: string | null }>;
  private readonly touchStmt: Database.Statement<[string, string, string]>;
  private readonly settingsStmt: Database.Statement<[], { apiEnabled: number; rateLimitPerToken: number | null; rateLimitPerAddress: number | null; corsOrigins: string }>;
  private readonly claimStmt: Database.Statement;
  private readonly keyStmt: Database.Statement<[string, string, string], IdempotencyRow>;
  private readonly takeOverStmt: Database.Statement;
  private readonly finishStmt: Database.Statement;
  private readonly releaseStmt: Database.Statement;
  private readonly expiredStmt: Database.Statement;
  private readonly runnerStmt: Database.Statement<[string], { heartbeatAt: string }>;
  private readonly deletedEndpointStmt: Database.Statement<[string], { endpoint: string }>;
  private readonly dataVersionStmt: Database.Statement<[], number>;
  private readonly runStmt: Database.Statement<[string], { status: string; output: string | null; error: string | null }>;

  constructor(db: Sqlite) {
    this.tokenStmt = db.prepare(`SELECT id, allWorkflows, workflowIds, revokedAt FROM ApiToken WHERE tokenHash = ?`);
    // Written at most once a minute per token, so a busy token does not write on every call.
    this.touchStmt = db.prepare(`UPDATE ApiToken SET lastUsedAt = ? WHERE id = ? AND (lastUsedAt IS NULL OR lastUsedAt < ?)`);
    this.settingsStmt = db.prepare(`SELECT apiEnabled, rateLimitPerToken, rateLimitPerAddress, corsOrigins FROM InstanceSettings WHERE id = 1`);
    this.claimStmt = db.prepare(`INSERT INTO IdempotencyKey (workflowId, environment, key, bodyHash, runId, state, owner, createdAt, expiresAt)
      VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?) ON CONFLICT DO NOTHING`);
    this.keyStmt = db.prepare(`SELECT bodyHash, runId, state, owner, statusCode, response, expiresAt FROM IdempotencyKey
      WHERE workflowId = ? AND environment = ? AND key = ?`);
    this.takeOverStmt = db.prepare(`UPDATE IdempotencyKey SET bodyHash = ?, runId = ?, state = 'running', owner = ?, statusCode = NULL, response = NULL,
      createdAt = ?, expiresAt = ? WHERE workflowId = ? AND environment = ? AND key = ? AND runId = ?`);
    this.finishStmt = db.prepare(`UPDATE IdempotencyKey SET state = 'done', statusCode = ?, response = ?
      WHERE workflowId = ? AND environment = ? AND key = ? AND runId = ?`);
    this.releaseStmt = db.prepare(`DELETE FROM IdempotencyKey WHERE workflowId = ? AND environment = ? AND key = ? AND runId = ?`);
    this.expiredStmt = db.prepare(`DELETE FROM IdempotencyKey WHERE rowid IN (SELECT rowid FROM IdempotencyKey WHERE expiresAt < ? LIMIT ?)`);
    this.runnerStmt = db.prepare(`SELECT heartbeatAt FROM RunnerProcess WHERE id = ?`);
    this.runStmt = db.prepare(`SELECT status, output, error FROM Run WHERE id = ?`);
    this.dataVersionStmt = db.prepare(`PRAGMA data_version`).pluck() as unknown as Database.Statement<[], number>;
    this.deletedEndpointStmt = db.prepare(`SELECT endpoint FROM DeletedLiveEndpoint WHERE workflowId = ?`);
  }

  token(tokenHash: string): TokenRow | null {
    const row = this.tokenStmt.get(tokenHash);
    return row ? { id: row.id, allWorkflows: row.allWorkflows === 1, workflowIds: row.workflowIds, revoked: row.revokedAt !== null } : null;
  }

  /** Records when tokens were last used (a write; run it inside group commit). */
  touchTokens(ids: Iterable<string>, now: Date): (db: Sqlite) => void {
    const at = sqlDate(now);
    const before = sqlDate(new Date(now.getTime() - 60_000));
    const list = [...ids];
    return () => {
      for (const id of list) this.touchStmt.run(at, id, before);
    };
  }

  settings(): InstanceSettingsRow {
    const row = this.settingsStmt.get();
    if (!row) return { apiEnabled: true, rateLimitPerToken: null, rateLimitPerAddress: null, corsOrigins: '[]' };
    return { ...row, apiEnabled: row.apiEnabled === 1 };
  }

  /** Inserts the key as being answered by `owner`; false when the key exists (run inside group commit). */
  claimKey(key: NewIdempotencyKey): boolean {
    const result = this.claimStmt.run(key.workflowId, key.environment, key.key, key.bodyHash, key.runId, key.owner, sqlDate(key.now), sqlDate(key.expiresAt));
    return result.changes === 1;
  }

  key(workflowId: string, environment: string, key: string): IdempotencyRow | null {
    return this.keyStmt.get(workflowId, environment, key) ?? null;
  }

  /** Takes over a key whose holder is gone or which expired, if it still names `previousRunId`. */
  takeOverKey(key: NewIdempotencyKey, previousRunId: string): boolean {
    const result = this.takeOverStmt.run(
      key.bodyHash,
      key.runId,
      key.owner,
      sqlDate(key.now),
      sqlDate(key.expiresAt),
      key.workflowId,
      key.environment,
      key.key,
      previousRunId,
    );
    return result.changes === 1;
  }

  finishKey(workflowId: string, environment: string, key: string, runId: string, statusCode: number, response: string): (db: Sqlite) => void {
    return () => void this.finishStmt.run(statusCode, response, workflowId, environment, key, runId);
  }

  /** Forgets a key whose call was refused before any run existed, so the caller may retry with it. */
  releaseKey(workflowId: string, environment: string, key: string, runId: string): (db: Sqlite) => void {
    return () => void this.releaseStmt.run(workflowId, environment, key, runId);
  }

  /** Deletes up to `limit` expired keys; returns how many. */
  deleteExpiredKeys(now: Date, limit: number): number {
    return this.expiredStmt.run(sqlDate(now), limit).changes;
  }

  /** When a runner process last wrote its heartbeat (null: it stopped cleanly or never ran). */
  runnerHeartbeat(owner: string): Date | null {
    const row = this.runnerStmt.get(owner);
    return row ? new Date(row.heartbeatAt) : null;
  }

  /**
   * SQLite's count of commits made by other connections (Prisma's, other processes): while it
   * stays the same, what they write (releases, saved workflows, tokens, settings) has not changed.
   */
  dataVersion(): number {
    return this.dataVersionStmt.get()!;
  }

  /** The endpoint settings (JSON) a workflow deleted while live was last saved with. */
  deletedEndpoint(workflowId: string): string | null {
    return this.deletedEndpointStmt.get(workflowId)?.endpoint ?? null;
  }

  run(runId: string) {
    return this.runStmt.get(runId) ?? null;
  }
}
