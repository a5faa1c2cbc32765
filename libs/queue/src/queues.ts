// One owner for queue names, job names and payloads: the apps that enqueue and the worker that
// consumes import them from here, so a renamed queue or payload fails to compile. No bullmq or
// ioredis here: the ingress and libs/database import this file and have no Redis (their runtime
// is libs/queue-runtime).

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
export function queuePrefix(config: { prefix: string; clusterNodes: readonly unknown[] }, queue: string): string {
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
export type ForwardJob = {
  name: typeof FORWARD_JOBS.deliver;
  data: { deliveryId: string; eventId?: string; eventType?: string };
};

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
  const id =
    `${parseInt(encoded, 10)}` !== encoded
      ? encoded
      : `%${encoded.charCodeAt(0).toString(16).toUpperCase()}${encoded.slice(1)}`;
  return generation > 0 ? `${id}%r${generation}` : id;
}

/** An event to enqueue, with its replay count (part of the job id). */
export interface EventJobRef {
  eventId: string;
  generation: number;
}
