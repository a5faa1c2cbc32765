import type { JobsOptions } from 'bullmq';
import type { QueueConfig } from '@app/config';
import { BACKOFF_TYPE, jobIdForEvent } from '@app/queue';

// How jobs are added: ids, retries and what BullMQ keeps. Beside the code that adds them (bullmq's
// types), not in libs/queue, which the apps without Redis import.

export function squareEventJobOptions(config: QueueConfig, eventId: string, generation = 0): JobsOptions {
  return {
    jobId: jobIdForEvent(eventId, generation),
    attempts: config.jobAttempts,
    // Exponential with jitter, honouring Square's Retry-After (see backoff.ts).
    backoff: { type: BACKOFF_TYPE, delay: config.jobBackoffMs },
    // Completed jobs are not needed: the inbox row records the outcome.
    removeOnComplete: true,
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}

/**
 * A delivery's job: the delivery id (and replay count) as the job id. Its retries are counted and
 * scheduled by the forwarder itself (FORWARD_RETRY_FOR_MS, not a number of attempts), so BullMQ is
 * given attempts enough never to stop it first.
 */
export function forwardJobOptions(deliveryId: string, generation = 0): JobsOptions {
  return {
    jobId: jobIdForEvent(`d${deliveryId}`, generation),
    attempts: 1_000_000,
    backoff: { type: BACKOFF_TYPE },
    removeOnComplete: true,
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}
