/**
 * Runs a background task when asked, or at the time it asked for: never twice at once (a request
 * while it runs makes it run again right after), and the earliest requested time wins. The task
 * returns how long until it wants to run again. Used by the batch feeder and the recurring jobs.
 */
export class WakeTimer {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private timerAt = Infinity;
  private running = false;
  private again = false;
  private stopped = true;

  constructor(private readonly task: () => Promise<number>) {}

  start(): void {
    this.stopped = false;
    this.at(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Runs the task in `delayMs` (or sooner, if already due sooner). */
  at(delayMs: number): void {
    if (this.stopped) return;
    const when = Date.now() + delayMs;
    if (this.timer && this.timerAt <= when) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = when;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      void this.run();
    }, delayMs);
  }

  private async run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    let next: number;
    try {
      next = await this.task();
    } finally {
      this.running = false;
    }
    if (this.again) {
      this.again = false;
      next = 0;
    }
    this.at(next);
  }
}
