import { EndpointSettings, NEW_ENDPOINT, OPEN_ENDPOINT, endpointSettings, isEventNode, parseDefinition, parseStoredGraph } from '@switchyard/workflow';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { EngineDb, InstanceSettingsRow, TokenRow } from '../db/index.ts';
import { hashToken } from './apiTokens.ts';
import type { Environment } from './runs.ts';

/** The endpoint of a workflow a call names, with the settings that decide who may call it. */
export interface Endpoint {
  workflowId: string;
  endpoint: EndpointSettings;
  /** Live: the latest release it was found in (the engine runs that one). */
  release?: number;
}

/** Why a call was refused before reaching its workflow; `status` is the HTTP status. */
export interface Refusal {
  status: 401 | 403 | 404 | 405 | 429;
  message: string;
  /** Seconds, for 429. */
  retryAfter?: number;
  /** For 401: the WWW-Authenticate challenge. */
  challenge?: string;
}

export interface InstanceApiSettings {
  apiEnabled: boolean;
  rateLimitPerToken: number | null;
  rateLimitPerAddress: number | null;
  corsOrigins: string[];
}

/** The instance settings are read at most this often per process; a change made here is seen at once. */
const SETTINGS_TTL_MS = 1000;
const MAX_ENTRIES = 1000;
const TOUCH_EVERY_MS = 5000;

/**
 * Who may call a workflow endpoint. Everything is read from the database on each call through
 * prepared statements (microseconds) or caches keyed by what makes an entry immutable (a saved
 * revision), so locking an endpoint down, revoking a token or switching the API off takes effect on
 * the next call, in every process. Endpoint settings come from the saved workflow for draft and
 * live alike: locking an endpoint down never waits for a deploy.
 */
export class ApiGate {
  private settingsCache: { at: number; value: InstanceApiSettings } | null = null;
  private readonly endpoints = new Map<string, EndpointSettings | 'no_api_event'>();
  private readonly liveHeads = new Map<string, { release: number; workflowId: string | null; revision: number | null } | null>();
  private readonly tokens = new Map<string, TokenRow>();
  private dataVersion = -1;
  private checkedThisTurn = false;
  private perToken: { points: number; limiter: RateLimiterMemory } | null = null;
  private perAddress: { points: number; limiter: RateLimiterMemory } | null = null;
  private readonly usedTokens = new Set<string>();
  private touchTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly engineDb: EngineDb,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  settings(): InstanceApiSettings {
    const now = Date.now();
    if (this.settingsCache && now - this.settingsCache.at < SETTINGS_TTL_MS) return this.settingsCache.value;
    const value = toSettings(this.engineDb.apiAccess.settings());
    this.settingsCache = { at: now, value };
    return value;
  }

  /** Called after this process changed the settings, so its next call reads them. */
  settingsChanged(): void {
    this.settingsCache = null;
  }

  /**
   * The workflow a call of `name` reaches in `environment` and its endpoint settings; null when
   * there is none (unknown or not deployed), which the engine then explains.
   */
  endpointOf(environment: Environment, name: string): Endpoint | null {
    const lookups = this.engineDb.lookups;
    if (environment === 'draft') {
      const head = lookups.workflowHead(name);
      return head ? this.settingsOf('draft', head.id, head.revision, null, null) : null;
    }
    const live = this.liveHead(name);
    if (!live?.workflowId) return null;
    const found = this.settingsOf('live', live.workflowId, live.revision, live.release, () => lookups.releaseEntry(live.release, name)?.definition ?? null);
    return found && { ...found, release: live.release };
  }

  /**
   * The live head of a name, kept until another connection commits: everything it depends on
   * (releases, saved workflows) is written through Prisma or by other processes, never by the
   * engine's own connection, so SQLite's data_version says when to read it again.
   */
  private liveHead(name: string) {
    this.sync();
    let head = this.liveHeads.get(name);
    if (head === undefined) {
      head = this.engineDb.lookups.liveHead(name);
      // Names nobody deployed are not kept, so made-up names never fill the map.
      if (head?.workflowId) {
        this.liveHeads.set(name, head);
        if (this.liveHeads.size > MAX_ENTRIES) this.liveHeads.delete(this.liveHeads.keys().next().value!);
      }
    }
    return head;
  }

  /**
   * Forgets what other connections may have changed since it was read. Checked once per turn of
   * the event loop: the calls read in one I/O phase share a check (under load, many), and a call
   * that arrives after a commit always sees it.
   */
  private sync(): void {
    if (this.checkedThisTurn) return;
    this.checkedThisTurn = true;
    setImmediate(() => {
      this.checkedThisTurn = false;
    });
    const version = this.engineDb.apiAccess.dataVersion();
    if (version === this.dataVersion) return;
    this.dataVersion = version;
    this.liveHeads.clear();
    this.tokens.clear();
  }

  /** The endpoint settings of a workflow by id (a scheduled run's, which may have been renamed since). */
  endpointById(environment: Environment, workflowId: string): Endpoint | null {
    const revision = this.engineDb.lookups.workflowHeadById(workflowId)?.revision ?? null;
    if (environment === 'draft') return this.settingsOf('draft', workflowId, revision, null, null);
    const release = this.engineDb.lookups.latestRelease();
    const definition = release === null ? null : (this.engineDb.lookups.releaseEntryById(release, workflowId)?.definition ?? null);
    return this.settingsOf('live', workflowId, revision, release, () => definition);
  }

  /**
   * The settings that apply: the saved workflow's when its event is an API event (so a change
   * takes effect on save). Otherwise they fail closed: a live endpoint keeps the settings it was
   * deployed with (its draft may have lost its API event), a draft that has no API event (a
   * recurring job's, tried from the editor) needs a token or the test panel's session.
   */
  private settingsOf(
    environment: Environment,
    workflowId: string,
    revision: number | null,
    release: number | null,
    frozenOf: (() => string | null) | null,
  ): Endpoint | null {
    const saved = revision === null ? 'deleted' : this.savedSettings(workflowId, revision);
    if (saved !== 'deleted' && saved !== 'no_api_event') return { workflowId, endpoint: saved };
    // Read only when the saved settings do not answer (rare): the definition is large.
    const frozen = environment === 'live' && frozenOf ? frozenOf() : null;
    if (frozen !== null) {
      // A recurring job deployed has no live endpoint: the engine says so.
      const deployed = this.deployedSettings(release!, workflowId, frozen);
      if (deployed === 'no_api_event') return null;
      // Deleted while live: the settings it was last saved with (a lock-down stays locked).
      const kept = saved === 'deleted' ? this.engineDb.apiAccess.deletedEndpoint(workflowId) : null;
      return { workflowId, endpoint: kept ? EndpointSettings.parse(JSON.parse(kept)) : deployed };
    }
    if (saved === 'no_api_event') return { workflowId, endpoint: NEW_ENDPOINT };
    return null;
  }

  /** The saved workflow's endpoint settings, cached by saved revision. */
  private savedSettings(workflowId: string, revision: number): EndpointSettings | 'no_api_event' {
    const key = `s:${workflowId}:${revision}`;
    let entry = this.endpoints.get(key);
    if (entry === undefined) {
      const row = this.engineDb.lookups.workflowGraph(workflowId);
      const graph = row ? parseStoredGraph(JSON.parse(row.graph)) : null;
      entry = (graph?.success && endpointSettings(graph.data.nodes.find(isEventNode))) || 'no_api_event';
      this.remember(key, entry);
    }
    return entry;
  }

  /** What a release froze for a workflow. */
  private deployedSettings(release: number, workflowId: string, frozen: string): EndpointSettings | 'no_api_event' {
    const key = `r:${release}:${workflowId}`;
    let entry = this.endpoints.get(key);
    if (entry === undefined) {
      const trigger = parseDefinition(JSON.parse(frozen)).trigger;
      entry = trigger.type === 'api' ? (trigger.endpoint ?? OPEN_ENDPOINT) : 'no_api_event';
      this.remember(key, entry);
    }
    return entry;
  }

  private remember(key: string, entry: EndpointSettings | 'no_api_event'): void {
    this.endpoints.set(key, entry);
    if (this.endpoints.size > MAX_ENTRIES) this.endpoints.delete(this.endpoints.keys().next().value!);
  }

  /**
   * Checks the token a call carries against the workflow. Returns the token's id (for its rate
   * limit), or a refusal: 401 without a valid token, 403 when its scope leaves the workflow out.
   */
  checkToken(token: string | null, workflowId: string): { tokenId: string } | Refusal {
    const challenge = 'Bearer realm="switchyard"';
    if (!token) {
      return { status: 401, challenge, message: 'This workflow requires an API token: send "Authorization: Bearer <token>"' };
    }
    this.sync();
    const hash = hashToken(token);
    let row = this.tokens.get(hash) ?? null;
    if (!row) {
      row = this.engineDb.apiAccess.token(hash);
      // Unknown tokens are not kept: guesses never fill the map.
      if (row) {
        this.tokens.set(hash, row);
        if (this.tokens.size > MAX_ENTRIES) this.tokens.delete(this.tokens.keys().next().value!);
      }
    }
    if (!row || row.revoked) return { status: 401, challenge, message: 'The API token is not valid (unknown or revoked)' };
    if (!row.allWorkflows && !(JSON.parse(row.workflowIds) as string[]).includes(workflowId)) {
      return { status: 403, message: 'This API token may not run this workflow' };
    }
    this.touched(row.id);
    return { tokenId: row.id };
  }

  /** Spends one request of the caller's address; a refusal once its limit per minute is used up. */
  async limitAddress(address: string): Promise<Refusal | null> {
    const points = this.settings().rateLimitPerAddress;
    if (points === null) return null;
    if (this.perAddress?.points !== points) this.perAddress = { points, limiter: new RateLimiterMemory({ points, duration: 60 }) };
    return spend(this.perAddress.limiter, address, `Too many requests from this address: the limit is ${points} a minute`);
  }

  /** Spends one request of a token. */
  async limitToken(tokenId: string): Promise<Refusal | null> {
    const points = this.settings().rateLimitPerToken;
    if (points === null) return null;
    if (this.perToken?.points !== points) this.perToken = { points, limiter: new RateLimiterMemory({ points, duration: 60 }) };
    return spend(this.perToken.limiter, tokenId, `Too many requests with this token: the limit is ${points} a minute`);
  }

  /** Writes the tokens' last use (batched: a busy token does not cost a write per call). */
  flush(): void {
    if (this.touchTimer) clearTimeout(this.touchTimer);
    this.touchTimer = null;
    if (this.usedTokens.size === 0) return;
    const ids = [...this.usedTokens];
    this.usedTokens.clear();
    this.engineDb.commits.writeLater(this.engineDb.apiAccess.touchTokens(ids, this.clock()), 'token last use');
  }

  private touched(tokenId: string): void {
    this.usedTokens.add(tokenId);
    if (!this.touchTimer) {
      this.touchTimer = setTimeout(() => this.flush(), TOUCH_EVERY_MS);
      this.touchTimer.unref();
    }
  }
}

async function spend(limiter: RateLimiterMemory, key: string, message: string): Promise<Refusal | null> {
  try {
    await limiter.consume(key);
    return null;
  } catch (error) {
    if (!(error instanceof RateLimiterRes)) throw error;
    return { status: 429, message, retryAfter: Math.max(1, Math.ceil(error.msBeforeNext / 1000)) };
  }
}

function toSettings(row: InstanceSettingsRow): InstanceApiSettings {
  let origins: string[] = [];
  try {
    const parsed: unknown = JSON.parse(row.corsOrigins);
    if (Array.isArray(parsed)) origins = parsed.filter((o): o is string => typeof o === 'string');
  } catch {
    // A hand-edited value that does not parse allows no origin.
  }
  return { apiEnabled: row.apiEnabled, rateLimitPerToken: row.rateLimitPerToken, rateLimitPerAddress: row.rateLimitPerAddress, corsOrigins: origins };
}
