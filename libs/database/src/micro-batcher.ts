/**
 * Opportunistic batching ("group commit"): items submitted while earlier batches are in flight
 * are sent together in the next one. Under light load every item goes alone and at once (no
 * added latency); under heavy load one round trip, and one commit, serves many requests.
 */
export interface MicroBatcherOptions<I, O> {
  /** Handles a batch; must return one result (or Error) per item, in order. */
  handle(items: I[]): Promise<Array<O | Error>>;
  /** Batches in flight at once (e.g. database connections to use). */
  maxInFlight: number;
  maxBatchSize: number;
  /** Items waiting beyond this are refused at once: the caller is overloaded or its store is down. */
  maxQueued: number;
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
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatchSize);
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.drain();
      });
    }
  }

  private async run(batch: Array<Pending<I, O>>): Promise<void> {
    try {
      const results = await this.options.handle(batch.map((p) => p.item));
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
