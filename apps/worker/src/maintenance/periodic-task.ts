/**
 * A pass the worker repeats every interval (the sweep, token refresh, reconciling, retention):
 * never two at once in this process (a call during a pass shares it), and shutdown waits for the
 * pass in progress. A failed pass is handed to `failed`; the next interval tries again.
 */
export class PeriodicTask<T> {
  private timers: NodeJS.Timeout[] = [];
  private running: Promise<T> | undefined;

  constructor(
    private readonly pass: () => Promise<T>,
    private readonly failed: (err: unknown) => void,
  ) {}

  /** Every `intervalMs`; the first pass after `firstAfterMs` when given (0: at once). */
  start(intervalMs: number, firstAfterMs?: number): void {
    const tick = () => void this.run().catch(this.failed);
    this.timers.push(setInterval(tick, intervalMs));
    if (firstAfterMs !== undefined) this.timers.push(setTimeout(tick, firstAfterMs));
    for (const timer of this.timers) timer.unref();
  }

  /** One pass; resolves or rejects with it. */
  run(): Promise<T> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
    await this.running?.catch(() => undefined);
  }
}
