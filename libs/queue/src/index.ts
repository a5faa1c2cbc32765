export { BACKOFF_TYPE, parseRetryAfter, retryDelayMs } from './backoff.js';
export { DeadLetterQueue } from './dead-letter.queue.js';
export {
  DEAD_LETTER_JOBS, FORWARD_JOBS, FORWARD_QUEUE_PREFIX, JOBS, QUEUES, forwardJobOptions, forwardQueue, jobIdForEvent, queuePrefix, squareEventJobOptions,
} from './queues.js';
export type { DeadLetterJob, ForwardJob, SquareEventJob } from './queues.js';
export { QueueModule } from './queue.module.js';
export { QueueScrubber } from './queue-scrubber.js';
export type { QueueScrubResult, StoredJob } from './queue-scrubber.js';
export { PRODUCER_REDIS, SquareEventsProducer } from './square-events.producer.js';
export type { EventJobRef } from './square-events.producer.js';
export { RedisConnectionReport } from './redis-connection.js';
export type { RedisClient } from './redis-connection.js';
