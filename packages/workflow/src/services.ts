/**
 * What the interpreter and action modules may use from the outside world, injected by the server
 * (and by tests). The kernel itself reads no clock, opens no socket and writes nothing.
 */
export interface Services {
  /** The clock. Expressions' `now` is read from it once per step. */
  now(): Date;
  /**
   * The instance's IANA time zone, used by workflows whose settings name none (`timeZone: null`).
   * Absent: UTC. The kernel never reads the machine's own time zone.
   */
  timeZone?: string;
  /** A monotonic clock in milliseconds (fractions allowed), for step durations. */
  monotonic(): number;
  /** Resolves after `ms` milliseconds, or rejects when `signal` aborts first. */
  sleep?(ms: number, signal: AbortSignalLike): Promise<void>;
  logger: Logger;
  /** Ports of the actions that act outside the run, supplied once those actions exist. */
  http?: HttpPort;
  email?: EmailPort;
  data?: DataPort;
  scheduler?: SchedulerPort;
}

/** The part of the web platform's AbortSignal the kernel uses (no DOM or Node types here). */
export interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export interface Logger {
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

export interface HttpPort {
  request(request: {
    method: string;
    url: string;
    headers: Record<string, string>;
    body?: string;
    idempotencyKey: string;
    signal: AbortSignalLike;
  }): Promise<{ status: number; headers: Record<string, string>; body: string }>;
}

export interface EmailPort {
  send(message: { to: string[]; subject: string; text: string; messageId: string }): Promise<void>;
}

export interface DataPort {
  create(type: string, fields: Record<string, unknown>, idempotencyKey: string): Promise<{ id: string }>;
  search(type: string, constraints: readonly unknown[], limit: number): Promise<Record<string, unknown>[]>;
}

/**
 * Scheduling runs of other workflows (or this one) from a run. Parameters are given by the target's
 * parameter ids; the runner checks them against the definition the new run is pinned to, and
 * fails the step (not retried) when they do not fit, when the target does not exist, or when the
 * chain of runs scheduling runs is too deep. `idempotencyKey` makes a repeated call (a resumed
 * attempt) return what the first one made.
 */
export interface SchedulerPort {
  schedule(request: { workflowId: string; params: ReadonlyMap<string, unknown>; runAt: Date; idempotencyKey: string }): Promise<{ runId: string }>;
  scheduleList(request: {
    workflowId: string;
    items: readonly unknown[];
    itemParameterId: string;
    params: ReadonlyMap<string, unknown>;
    startAt: Date;
    intervalMs: number;
    ordered: boolean;
    onFinishWorkflowId: string | null;
    idempotencyKey: string;
  }): Promise<{ batchId: string; total: number }>;
  /** Cancels pending runs of this environment: how many were cancelled, had started already, or were not found. */
  cancel(runIds: readonly string[]): Promise<{ cancelled: number; started: number; unknown: number }>;
}
