import type { JobsOptions } from 'bullmq';
import type { QueueConfig } from '@app/config';
import { BACKOFF_TYPE } from './backoff.js';

// One owner for queue names, job names and payloads: the ingress (producer) and the worker
// (consumer) both import them from here, so a renamed queue or payload fails to compile.

export const QUEUES = {
  squareEvents: 'square-events',
  deadLetter: 'square-events-dead-letter',
} as const;

/**
 * The BullMQ prefix of a queue. A BullMQ script touches several keys of one queue at once, which a
 * Redis Cluster allows only within one hash slot: in cluster mode each queue's prefix is a hash tag
 * of its own, `{<QUEUE_PREFIX>:<queue>}` (BullMQ's documented pattern; one tag per queue spreads
 * the queues over the masters). A single Redis, or Redis behind Sentinel, keeps the untagged
 * QUEUE_PREFIX it always had, so an upgrade finds its queued jobs under the same keys. A
 * QUEUE_PREFIX that already holds a tag ({…}) is used as it is.
 */
export function queuePrefix(config: Pick<QueueConfig, 'prefix' | 'clusterNodes'>, queue: string): string {
  if (config.clusterNodes.length === 0 || /\{[^}]+\}/.test(config.prefix)) return config.prefix;
  return `{${config.prefix}:${queue}}`;
}

export const JOBS = {
  processEvent: 'process-event',
} as const;

/** Each forwarding destination has a queue of its own (forward-<name>): a slow one holds up no other. */
export const FORWARD_QUEUE_PREFIX = 'forward-';
export function forwardQueue(destination: string): string {
  return `${FORWARD_QUEUE_PREFIX}${destination}`;
}

export const FORWARD_JOBS = {
  deliver: 'deliver',
} as const;

/**
 * A delivery to send; the row in forward_deliveries holds the rest. The event's id and type are
 * there for people (Bull Board's job cards); the worker reads the delivery row only.
 */
export type ForwardJob = { name: typeof FORWARD_JOBS.deliver; data: { deliveryId: string; eventId?: string; eventType?: string } };

export const DEAD_LETTER_JOBS = {
  deadLettered: 'dead-lettered',
} as const;

/** Jobs carry the event id only: the inbox row in Postgres is the source of truth. */
export type SquareEventJob = { name: typeof JOBS.processEvent; data: { eventId: string } };

/** A dead-lettered event, visible in Bull Board; the inbox row holds the reason and last error. */
export type DeadLetterJob = { name: typeof DEAD_LETTER_JOBS.deadLettered; data: { eventId: string; reason: string } };

/**
 * Job id of an event, so that the queue itself drops duplicate enqueues. BullMQ refuses ids
 * containing ':' (legacy ids are "v1:<sha256>") and ids that parse as integers, so those are
 * percent-escaped. The mapping stays one-to-one: encodeURIComponent never escapes '-' or a digit,
 * so an escaped first character cannot come from any other id.
 *
 * `generation` is the event's replay count: a replayed event gets a job id of its own (suffix
 * %r<n>, which encodeURIComponent never produces), so its new job is never mistaken for the failed
 * one it replaces, and replay needs no Redis.
 */
export function jobIdForEvent(eventId: string, generation = 0): string {
  const encoded = encodeURIComponent(eventId);
  const id = `${parseInt(encoded, 10)}` !== encoded ? encoded : `%${encoded.charCodeAt(0).toString(16).toUpperCase()}${encoded.slice(1)}`;
  return generation > 0 ? `${id}%r${generation}` : id;
}

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
