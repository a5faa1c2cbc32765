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

  it('while every lane has run slowMs, waiting items start batches of their own, up to maxSlowInFlight', async () => {
    const gate = deferred();
    const started: number[][] = [];
    const batcher = new MicroBatcher<number, number>({
      maxInFlight: 1,
      maxBatchSize: 1,
      maxQueued: 1000,
      slowMs: 30,
      maxSlowInFlight: 3,
      handle: async (items) => {
        started.push(items);
        if (items[0] === 1) await gate.promise; // a slow batch
        return items;
      },
    });
    const slow = batcher.submit(1);
    const others = [2, 3, 4].map((i) => batcher.submit(i));
    expect(started).toEqual([[1]]); // one lane, busy: the others wait
    // 2 starts once the slow lane is 30 ms old and is done at once; 3 and 4 follow on that extra lane.
    expect(await Promise.all(others)).toEqual([2, 3, 4]);
    expect(started).toEqual([[1], [2], [3], [4]]);
    gate.resolve();
    expect(await slow).toBe(1);
  });

  it('without slowMs, waiting items wait for a lane however long it is busy', async () => {
    const gate = deferred();
    let second = false;
    const batcher = new MicroBatcher<number, number>({
      maxInFlight: 1,
      maxBatchSize: 1,
      maxQueued: 1000,
      handle: async (items) => {
        if (items[0] === 1) await gate.promise;
        else second = true;
        return items;
      },
    });
    const first = batcher.submit(1);
    const next = batcher.submit(2);
    await new Promise((r) => setTimeout(r, 60));
    expect(second).toBe(false);
    gate.resolve();
    expect(await Promise.all([first, next])).toEqual([1, 2]);
  });

  it('with pull, a batch starts with one item and takes the waiting ones as it goes, up to maxBatchSize', async () => {
    const gate = deferred();
    const taken: number[][] = [];
    const batcher = new MicroBatcher<number, number>({
      maxInFlight: 1,
      maxBatchSize: 3,
      maxQueued: 1000,
      pull: true,
      handle: async (items, more) => {
        if (items[0] === 0) await gate.promise;
        // Takes while some wait: the batch grows as it goes.
        while (more?.waiting()) more.next();
        taken.push([...items]);
        return items;
      },
    });
    const first = batcher.submit(0);
    const rest = [1, 2, 3, 4, 5].map((i) => batcher.submit(i));
    gate.resolve();
    expect(await Promise.all([first, ...rest])).toEqual([0, 1, 2, 3, 4, 5]);
    // 0 took 1 and 2 once let go (3 items at most); the next batch started with 3 and took 4 and 5.
    expect(taken).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
  });
});
