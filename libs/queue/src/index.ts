// Names, payload types and retry arithmetic only: no bullmq or ioredis (see libs/queue-runtime).
export { BACKOFF_TYPE, parseRetryAfter, retryDelayMs } from './backoff.js';
export {
  DEAD_LETTER_JOBS,
  FORWARD_JOBS,
  FORWARD_QUEUE_PREFIX,
  JOBS,
  QUEUES,
  forwardQueue,
  jobIdForEvent,
  queuePrefix,
} from './queues.js';
export type { DeadLetterJob, EventJobRef, ForwardJob, SquareEventJob } from './queues.js';
export { REDIS_PROBE } from './redis-probe.js';
export type { RedisProbe } from './redis-probe.js';
