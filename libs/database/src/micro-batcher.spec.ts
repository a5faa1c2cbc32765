import { BatcherOverloadedError, MicroBatcher } from './micro-batcher.js';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe('MicroBatcher', () => {
  it('sends a lone item at once, and items arriving meanwhile together in the next batch', async () => {
    const batches: number[][] = [];
    const gate = deferred();
    const batcher = new MicroBatcher<number, number>({
      maxInFlight: 1,
      maxBatchSize: 100,
      maxQueued: 1000,
      handle: async (items) => {
        batches.push(items);
        if (batches.length === 1) await gate.promise;
        return items.map((i) => i * 10);
      },
    });
    const first = batcher.submit(1);
    const rest = [2, 3, 4].map((i) => batcher.submit(i));
    expect(batches).toEqual([[1]]);
    gate.resolve();
    expect(await Promise.all([first, ...rest])).toEqual([10, 20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('runs up to maxInFlight batches at once and caps their size', async () => {
    let running = 0;
    let peak = 0;
    const sizes: number[] = [];
    const batcher = new MicroBatcher<number, number>({
      maxInFlight: 2,
      maxBatchSize: 3,
      maxQueued: 1000,
      handle: async (items) => {
        running++;
        peak = Math.max(peak, running);
        sizes.push(items.length);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        return items;
      },
    });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => batcher.submit(i)));
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(peak).toBe(2);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(3);
  });

  it('fails one item alone when the handler returns an Error for it, and the whole batch when it throws', async () => {
    let mode: 'per-item' | 'throw' = 'per-item';
    const batcher = new MicroBatcher<number, number>({
      maxInFlight: 1,
      maxBatchSize: 10,
      maxQueued: 10,
      handle: async (items) => {
        if (mode === 'throw') throw new Error('connection refused');
        return items.map((i) => (i === 2 ? new Error('bad item') : i));
      },
    });
    const settled = await Promise.allSettled([1, 2, 3].map((i) => batcher.submit(i)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    mode = 'throw';
    await expect(batcher.submit(4)).rejects.toThrow('connection refused');
  });

  it('refuses items beyond maxQueued instead of queueing without bound', async () => {
    const gate = deferred();
    const batcher = new MicroBatcher<number, number>({
      maxInFlight: 1,
      maxBatchSize: 1,
      maxQueued: 2,
      handle: async (items) => (await gate.promise, items),
    });
    const accepted = [batcher.submit(1), batcher.submit(2), batcher.submit(3)];
    await expect(batcher.submit(4)).rejects.toBeInstanceOf(BatcherOverloadedError);
    gate.resolve();
    expect(await Promise.all(accepted)).toEqual([1, 2, 3]);
  });
});
