import { getQueueToken } from '@nestjs/bullmq';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { DESTINATIONS, type Destination } from '@app/config';
import type { OutboxJob } from '@app/database';
import { FORWARD_JOBS, forwardJobOptions, forwardQueue, type ForwardJob } from '@app/queue';

type ForwardQueue = Queue<ForwardJob['data'], unknown, ForwardJob['name']>;

/** The destinations' queues (forward-<name>, registered by QueueModule on the producer's connection): the relay adds to them. */
@Injectable()
export class ForwardQueues implements OnModuleInit {
  private readonly queues = new Map<string, ForwardQueue>();
  private readonly destinationNames: readonly string[];

  constructor(@Inject(DESTINATIONS) destinations: readonly Destination[], private readonly modules: ModuleRef) {
    this.destinationNames = destinations.map((d) => d.name);
  }

  // Looked up once every provider exists (in the constructor, QueueModule's may not be built yet).
  onModuleInit(): void {
    for (const name of this.destinationNames) this.queues.set(forwardQueue(name), this.modules.get(getQueueToken(forwardQueue(name)), { strict: false }));
  }

  /** The destinations' names. */
  destinations(): string[] {
    return [...this.destinationNames];
  }

  /** The queue names the relay may take jobs for. */
  names(): string[] {
    return [...this.queues.keys()];
  }

  /** The queue of a destination (the forwarder pauses it as a whole when it keeps failing). */
  of(destination: string): ForwardQueue | undefined {
    return this.queues.get(forwardQueue(destination));
  }

  async add(queueName: string, jobs: readonly OutboxJob[]): Promise<void> {
    const queue = this.queues.get(queueName);
    if (!queue) throw new Error(`no forward queue ${queueName}`);
    await queue.addBulk(jobs.map((j) => ({ name: FORWARD_JOBS.deliver, data: { deliveryId: j.ref }, opts: forwardJobOptions(j.ref, j.generation) })));
  }

  /**
   * For the sweep: puts a delivery's job back when Redis lost it (the job id makes this a no-op when
   * it is there). 'failed': its job failed for good without the delivery being marked.
   */
  async ensureQueued(delivery: { id: string; destination: string; generation: number }): Promise<{ state: 'present' | 'enqueued' } | { state: 'failed'; failedReason: string; attemptsMade: number }> {
    const queue = this.of(delivery.destination);
    if (!queue) return { state: 'present' }; // no longer configured: nothing sends it
    const job = await queue.getJob(forwardJobOptions(delivery.id, delivery.generation).jobId!);
    if (job && (await job.isFailed())) return { state: 'failed', failedReason: job.failedReason ?? 'failed', attemptsMade: job.attemptsMade };
    if (job) return { state: 'present' };
    await this.add(queue.name, [{ queue: queue.name, ref: delivery.id, generation: delivery.generation }]);
    return { state: 'enqueued' };
  }
}
