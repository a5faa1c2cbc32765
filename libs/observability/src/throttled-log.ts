/**
 * At most `limit` lines per `intervalMs` of one kind (e.g. a rejection anyone on the internet can
 * cause): `allow()` says whether this one may be written. What is held back is counted, and
 * `suppressed(count, intervalMs)` is told once its interval ends, so a flood costs one line a
 * window instead of one per request, and is still seen.
 */
export class ThrottledLog {
  private windowStartedAt = -Infinity;
  private written = 0;
  private held = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: {
      limit: number;
      intervalMs: number;
      suppressed: (count: number, intervalMs: number) => void;
    },
    private readonly now: () => number = Date.now,
  ) {}

  allow(): boolean {
    const now = this.now();
    if (now - this.windowStartedAt >= this.options.intervalMs) {
      this.flush();
      this.windowStartedAt = now;
      this.written = 0;
    }
    if (this.written < this.options.limit) {
      this.written += 1;
      return true;
    }
    this.held += 1;
    // A timer of its own: the count is said even when no request comes after the flood. unref: it
    // never keeps the process up.
    this.timer ??= setTimeout(() => this.flush(), this.windowStartedAt + this.options.intervalMs - now).unref();
    return false;
  }

  /** Says what is held back now (at shutdown, or when a new window opens). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.held === 0) return;
    const count = this.held;
    this.held = 0;
    this.options.suppressed(count, this.options.intervalMs);
  }
}
