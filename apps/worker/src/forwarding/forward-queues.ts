import { Inject, Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import { QueueConfig } from '@app/config';
import { ForwardDeliveriesRepository, type OutboxJob } from '@app/database';
import { FORWARD_JOBS, forwardQueue, queuePrefix, type ForwardJob } from '@app/queue';
import { PRODUCER_REDIS, forwardJobOptions, type RedisClient } from '@app/queue-runtime';
import { ForwardDestinations } from './forward-destinations.js';

type ForwardQueue = Queue<ForwardJob['data'], unknown, ForwardJob['name']>;

/**
 * The destinations' queues (forward-<name>), on the producer's connection: the relay adds to them,
 * the sweep checks them, the circuit lets their backlog go. A destination added by a reload gets its
 * queue when first asked for; a removed one's queue is no longer offered to the relay (its jobs stay
 * in the outbox, its deliveries pending).
 */
@Injectable()
export class ForwardQueues {
  private readonly queues = new Map<string, ForwardQueue>();

  constructor(
    private readonly destinations: ForwardDestinations,
    @Inject(PRODUCER_REDIS) private readonly connection: RedisClient,
    private readonly config: QueueConfig,
    private readonly deliveries: ForwardDeliveriesRepository,
  ) {}

  /** The destinations' names now. */
  names(): string[] {
    return this.destinations.names();
  }

  /** The queue names the relay may take jobs for. */
  queueNames(): string[] {
    return this.destinations.names().map(forwardQueue);
  }

  /** The queue of a configured destination. */
  of(destination: string): ForwardQueue | undefined {
    if (!this.destinations.get(destination)) return undefined;
    let queue = this.queues.get(destination);
    if (!queue) {
      queue = new Queue(forwardQueue(destination), {
        connection: this.connection,
        prefix: queuePrefix(this.config, forwardQueue(destination)),
      });
      // Connection errors are the shared connection's, said once by RedisConnectionReport.
      queue.on('error', () => undefined);
      this.queues.set(destination, queue);
    }
    return queue;
  }

  /**
   * Deletes a removed destination's queue from Redis, jobs and all (a temporary destination of
   * `square listen` once it is gone: nothing will ever take those jobs).
   */
  async discard(destination: string): Promise<void> {
    if (this.destinations.get(destination))
      throw new Error(`destination ${destination} is configured: its queue stays`);
    const queue =
      this.queues.get(destination) ??
      new Queue(forwardQueue(destination), {
        connection: this.connection,
        prefix: queuePrefix(this.config, forwardQueue(destination)),
      });
    this.queues.delete(destination);
    queue.on('error', () => undefined);
    await queue.obliterate({ force: true });
    await queue.close();
  }

  async add(queueName: string, jobs: readonly OutboxJob[]): Promise<void> {
    const queue = this.of(queueName.slice(forwardQueue('').length));
    if (!queue) throw new Error(`no forward queue ${queueName}`);
    // One read per batch, so that Bull Board's cards say which event each job sends.
    const labels = await this.deliveries.labelsOf(jobs.map((j) => j.ref));
    await queue.addBulk(
      jobs.map((j) => ({
        name: FORWARD_JOBS.deliver,
        data: { deliveryId: j.ref, ...labels.get(j.ref) },
        opts: forwardJobOptions(j.ref, j.generation),
      })),
    );
  }

  /**
   * Lets a destination's backlog go at once (it is back, resumed, or retried now): the hold on its
   * queue is lifted and the jobs waiting on their own retry delay become due (each one checks its
   * delivery's next attempt when it runs, so only what is due is sent).
   */
  async release(destination: string): Promise<void> {
    const queue = this.of(destination);
    if (!queue) return;
    await queue.removeRateLimitKey();
    await queue.promoteJobs();
  }

  /** The failed jobs of a delivery's earlier generations (it was replayed and is delivered now): not failures any more. */
  async forgetEarlierJobs(destination: string, deliveryId: string, generation: number): Promise<void> {
    const queue = this.of(destination);
    for (let g = 0; queue && g < generation; g++) await queue.remove(forwardJobOptions(deliveryId, g).jobId!);
  }

  /**
   * For the sweep: puts a delivery's job back when Redis lost it (the job id makes this a no-op when
   * it is there). 'failed': its job failed for good without the delivery being marked.
   */
  async ensureQueued(delivery: {
    id: string;
    destination: string;
    generation: number;
  }): Promise<{ state: 'present' | 'enqueued' } | { state: 'failed'; failedReason: string; attemptsMade: number }> {
    const queue = this.of(delivery.destination);
    if (!queue) return { state: 'present' }; // no longer configured: nothing sends it
    const job = await queue.getJob(forwardJobOptions(delivery.id, delivery.generation).jobId!);
    if (job && (await job.isFailed()))
      return { state: 'failed', failedReason: job.failedReason ?? 'failed', attemptsMade: job.attemptsMade };
    if (job) return { state: 'present' };
    await this.add(queue.name, [{ queue: queue.name, ref: delivery.id, generation: delivery.generation }]);
    return { state: 'enqueued' };
  }
}
