import type { FakeSquareServer } from '@app/testing';
import type { TestIngress } from './ingress.js';
import type { AppProcess } from './processes.js';
import { deleteQueuePrefix } from './redis.js';

/** Stops what a suite started for a local pipeline (whichever of them it got to start) and empties its queues. */
export async function stopPipeline(p: {
  worker?: AppProcess;
  ingress?: TestIngress;
  fake?: FakeSquareServer;
  prefix?: string;
}): Promise<void> {
  await p.worker?.stop('SIGKILL');
  await p.ingress?.close();
  await p.fake?.close();
  if (p.prefix !== undefined) await deleteQueuePrefix(p.prefix);
}
