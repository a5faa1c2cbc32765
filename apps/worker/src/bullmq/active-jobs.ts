import type { Logger } from '@nestjs/common';
import type { Worker } from 'bullmq';
import type { RedisClient } from '@app/queue-runtime';
import { TimeoutError, withTimeout } from '@app/timeouts';

// Closing must not wait on a Redis that does not answer.
const CLOSE_TIMEOUT_MS = 2000;

/** Jobs being processed by this process right now (BullMQ's own count needs Redis). */
export class ActiveJobs {
  count = 0;

  async track<T>(work: Promise<T>): Promise<T> {
    this.count++;
    try {
      return await work;
    } finally {
      this.count--;
    }
  }
}

/**
 * Stops a BullMQ worker within bounds: no new job; the active ones get `timeoutMs` to finish (none
 * active: no wait); then a forced close (disconnect, not QUIT, which a dead Redis never answers),
 * and the connection we gave it is dropped (BullMQ leaves a shared one open).
 */
export async function closeWorker(
  worker: Pick<Worker, 'pause' | 'close' | 'name'>,
  active: ActiveJobs,
  timeoutMs: number,
  logger: Logger,
  connection?: RedisClient,
): Promise<void> {
  void worker.pause(true).catch(() => undefined); // pause(false) would wait for the active jobs through Redis
  const deadline = Date.now() + timeoutMs;
  while (active.count > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (active.count > 0)
    logger.warn('active jobs did not finish in time; stopping anyway (they will be picked up again)', {
      active: active.count,
      queue: worker.name,
    });
  await withTimeout(worker.close(true), CLOSE_TIMEOUT_MS).catch((err: unknown) => {
    if (!(err instanceof TimeoutError)) throw err;
    logger.warn('Redis did not answer while closing the worker; stopping anyway', { queue: worker.name });
  });
  connection?.disconnect();
}
