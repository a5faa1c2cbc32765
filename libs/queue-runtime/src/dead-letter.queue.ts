import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import { DEAD_LETTER_JOBS, DeadLetterJob, QUEUES, jobIdForEvent } from '@app/queue';

/**
 * square-events-dead-letter: one entry per dead-lettered event, so that Bull Board shows them.
 * Nothing consumes it; the inbox row (status dead_lettered) is what replay works from.
 */
@Injectable()
export class DeadLetterQueue {
  constructor(
    @InjectQueue(QUEUES.deadLetter)
    private readonly queue: Queue<DeadLetterJob['data'], unknown, DeadLetterJob['name']>,
  ) {}

  /** Idempotent: the job id is the event's, so a second add is dropped by BullMQ. */
  async add(eventId: string, reason: string): Promise<void> {
    await this.queue.add(
      DEAD_LETTER_JOBS.deadLettered,
      { eventId, reason },
      {
        jobId: jobIdForEvent(eventId),
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }

  async remove(eventId: string): Promise<void> {
    await this.queue.remove(jobIdForEvent(eventId));
  }

  /** Removes the entries of these events (their bodies were purged); resolves with how many there were. */
  async removeAll(eventIds: readonly string[]): Promise<number> {
    let removed = 0;
    for (const eventId of eventIds) removed += await this.queue.remove(jobIdForEvent(eventId));
    return removed;
  }

  /**
   * Removes entries listed before `before`: retention's backstop for entries whose removal with
   * their body failed (Redis was down then). Nothing consumes the queue, so they all wait.
   */
  async expire(before: Date): Promise<number> {
    return (await this.queue.clean(Math.max(0, Date.now() - before.getTime()), 0, 'wait')).length;
  }
}
