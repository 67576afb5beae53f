import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Seconds; runs range from sub-millisecond log steps to long waits. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
/** Seconds a run started after it was due; the targets are 5 ms idle and 50 ms under load. */
const LATENESS_BUCKETS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 60];
/** The Scheduler page's charts: one point a minute for the last hour. */
const SERIES_POINTS = 60;
const SERIES_EVERY_MS = 60_000;

export interface SeriesPoint {
  at: Date;
  /** Pending runs per environment when the point was taken. */
  depth: Record<string, number>;
  /** Lateness of the runs started during the minute (milliseconds), or null when none started. */
  latenessP50Ms: number | null;
  latenessP99Ms: number | null;
  started: number;
}

/**
 * This process's metrics (prom-client), served at /metrics in Prometheus' text format: runs by
 * workflow, environment, trigger and status; run duration and lateness (start minus due time);
 * queue depth per environment (read from the database when scraped); refused calls by reason.
 * It also keeps the last hour of queue depth and lateness, a point a minute, for the console.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly runs: Counter<'workflow' | 'environment' | 'trigger' | 'status'>;
  private readonly duration: Histogram<'environment' | 'trigger'>;
  private readonly lateness: Histogram<'environment' | 'trigger'>;
  private readonly refused: Counter<'reason' | 'environment'>;
  private readonly series: SeriesPoint[] = [];
  /** Lateness of runs started since the last series point (ms), capped. */
  private minuteLateness: number[] = [];
  private minuteStarted = 0;
  private sampler: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly queueDepth: () => Record<string, number>) {
    collectDefaultMetrics({ register: this.registry, prefix: 'switchyard_' });
    this.runs = new Counter({
      name: 'switchyard_runs_total',
      help: 'Runs that ended in this process, by workflow, environment, trigger and final status',
      labelNames: ['workflow', 'environment', 'trigger', 'status'],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'switchyard_run_duration_seconds',
      help: 'How long runs took, from start to end',
      labelNames: ['environment', 'trigger'],
      buckets: DURATION_BUCKETS,
      registers: [this.registry],
    });
    this.lateness = new Histogram({
      name: 'switchyard_run_lateness_seconds',
      help: 'How late queued runs started: start time minus due time',
      labelNames: ['environment', 'trigger'],
      buckets: LATENESS_BUCKETS,
      registers: [this.registry],
    });
    this.refused = new Counter({
      name: 'switchyard_refused_calls_total',
      help: 'Workflow endpoint calls refused, by reason',
      labelNames: ['reason', 'environment'],
      registers: [this.registry],
    });
    const depth = this.queueDepth;
    new Gauge({
      name: 'switchyard_queue_depth',
      help: 'Runs queued and not started (due or not), by environment',
      labelNames: ['environment'],
      registers: [this.registry],
      collect() {
        for (const [environment, n] of Object.entries(depth())) this.set({ environment }, n);
      },
    });
  }

  /**
   * Labelled children, kept: finding one from its labels hashes them, a cost every run would pay
   * on the webhook path.
   */
  private readonly children = new Map<string, { inc(): void } | { observe(value: number): void }>();

  private child<T extends { inc(): void } | { observe(value: number): void }>(key: string, make: () => T): T {
    let found = this.children.get(key) as T | undefined;
    if (!found) {
      found = make();
      this.children.set(key, found);
    }
    return found;
  }

  runEnded(run: { workflow: string; environment: string; trigger: string; status: string; durationMs: number }): void {
    const { workflow, environment, trigger, status } = run;
    this.child(`r\u0000${workflow}\u0000${environment}\u0000${trigger}\u0000${status}`, () => this.runs.labels({ workflow, environment, trigger, status })).inc();
    this.child(`d\u0000${environment}\u0000${trigger}`, () => this.duration.labels({ environment, trigger })).observe(run.durationMs / 1000);
  }

  /** A queued run started `latenessMs` after it was due. */
  runStarted(run: { environment: string; trigger: string; latenessMs: number }): void {
    const late = Math.max(0, run.latenessMs);
    const { environment, trigger } = run;
    this.child(`l\u0000${environment}\u0000${trigger}`, () => this.lateness.labels({ environment, trigger })).observe(late / 1000);
    this.minuteStarted++;
    if (this.minuteLateness.length < 100_000) this.minuteLateness.push(late);
  }

  refusedCall(reason: string, environment: string): void {
    this.refused.inc({ reason, environment });
  }

  /** Takes a series point now and then every minute. */
  start(clock: () => Date): void {
    this.sample(clock());
    this.sampler = setInterval(() => this.sample(clock()), SERIES_EVERY_MS);
    this.sampler.unref();
  }

  stop(): void {
    if (this.sampler) clearInterval(this.sampler);
  }

  /** The last hour, oldest first. */
  lastHour(): SeriesPoint[] {
    return [...this.series];
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private sample(at: Date): void {
    const sorted = this.minuteLateness.sort((a, b) => a - b);
    const pick = (q: number) => (sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
    let depth: Record<string, number> = {};
    try {
      depth = this.queueDepth();
    } catch {
      // A busy database: the point has no depth rather than no point.
    }
    this.series.push({ at, depth, latenessP50Ms: pick(0.5), latenessP99Ms: pick(0.99), started: this.minuteStarted });
    if (this.series.length > SERIES_POINTS) this.series.shift();
    this.minuteLateness = [];
    this.minuteStarted = 0;
  }
}
