/**
 * Opportunistic batching ("group commit"): items submitted while earlier batches are in flight
 * are sent together in the next one. Under light load every item goes alone and at once (no
 * added latency); under heavy load one round trip, and one commit, serves many requests.
 */
export interface MicroBatcherOptions<I, O> {
  /**
   * Handles a batch; must return one result (or Error) per item, in order. With `pull`, `items`
   * starts with one item and grows by each item `more.next()` takes from the queue.
   */
  handle(items: I[], more?: Pull<I>): Promise<Array<O | Error>>;
  /** Batches in flight at once (e.g. database connections to use). */
  maxInFlight: number;
  maxBatchSize: number;
  /** Items waiting beyond this are refused at once: the caller is overloaded or its store is down. */
  maxQueued: number;
  /**
   * Slow batches (group commit: a team's handler waiting on a service): once every batch in flight
   * has run `slowMs`, items waiting start another batch beside them, up to `maxSlowInFlight` in all,
   * so that slow work does not hold up the items behind it. Off unless both are set.
   */
  slowMs?: number;
  maxSlowInFlight?: number;
  /**
   * A batch starts with one item and takes the next ones from the queue as it goes (group commit:
   * an event joins a transaction only when that transaction is ready for it, so it never waits
   * behind a slow event it was batched with); otherwise a batch takes its items when it starts.
   */
  pull?: boolean;
}

/** What a pulling batch can take: the next queued item (up to maxBatchSize in all), and whether one waits. */
export interface Pull<I> {
  next(): I | undefined;
  waiting(): boolean;
}

export class BatcherOverloadedError extends Error {
  override name = 'BatcherOverloadedError';
}

interface Pending<I, O> {
  item: I;
  resolve(value: O): void;
  reject(error: Error): void;
}

export class MicroBatcher<I, O> {
  private queue: Array<Pending<I, O>> = [];
  private inFlight = 0;
  /** When each batch in flight started (ms): the lanes are slow once the newest is `slowMs` old. */
  private readonly started = new Map<object, number>();
  private slowCheck: NodeJS.Timeout | undefined;

  constructor(private readonly options: MicroBatcherOptions<I, O>) {}

  submit(item: I): Promise<O> {
    if (this.queue.length >= this.options.maxQueued) {
      return Promise.reject(new BatcherOverloadedError(`${this.queue.length} items already waiting`));
    }
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.drain();
    });
  }

  private drain(): void {
    while (this.queue.length > 0 && this.laneFree()) {
      const batch = this.queue.splice(0, this.options.pull ? 1 : this.options.maxBatchSize);
      this.inFlight++;
      this.started.set(batch, Date.now());
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.started.delete(batch);
        this.drain();
      });
    }
    this.watchSlowLanes();
  }

  private laneFree(): boolean {
    const { maxInFlight, slowMs, maxSlowInFlight } = this.options;
    if (this.inFlight < maxInFlight) return true;
    if (slowMs === undefined || maxSlowInFlight === undefined || this.inFlight >= maxSlowInFlight) return false;
    return Date.now() - Math.max(...this.started.values()) >= slowMs;
  }

  /** Items wait while every lane is busy: look again when the lanes will have been busy `slowMs`. */
  private watchSlowLanes(): void {
    const { slowMs, maxSlowInFlight } = this.options;
    if (slowMs === undefined || maxSlowInFlight === undefined || this.slowCheck) return;
    if (this.queue.length === 0 || this.inFlight >= maxSlowInFlight) return;
    const wait = Math.max(1, Math.max(...this.started.values()) + slowMs - Date.now());
    this.slowCheck = setTimeout(() => {
      this.slowCheck = undefined;
      this.drain();
    }, wait);
    this.slowCheck.unref();
  }

  private async run(batch: Array<Pending<I, O>>): Promise<void> {
    try {
      const items = batch.map((p) => p.item);
      const room = () => batch.length < this.options.maxBatchSize;
      const more: Pull<I> | undefined = this.options.pull
        ? {
            next: () => {
              const pending = room() ? this.queue.shift() : undefined;
              if (pending === undefined) return undefined;
              batch.push(pending);
              items.push(pending.item);
              return pending.item;
            },
            waiting: () => room() && this.queue.length > 0,
          }
        : undefined;
      const results = await this.options.handle(items, more);
      batch.forEach((p, i) => {
        const result = results[i];
        if (result instanceof Error) p.reject(result);
        else if (result === undefined && results.length <= i)
          p.reject(new Error('batch handler returned too few results'));
        else p.resolve(result as O);
      });
    } catch (err) {
      for (const p of batch) p.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }
}
