export { BACKOFF_TYPE, retryDelayMs } from './backoff.js';
export { DeadLetterQueue } from './dead-letter.queue.js';
export { DEAD_LETTER_JOBS, JOBS, QUEUES, jobIdForEvent, squareEventJobOptions } from './queues.js';
export type { DeadLetterJob, SquareEventJob } from './queues.js';
export { QueueModule } from './queue.module.js';
export { PRODUCER_REDIS, SquareEventsProducer } from './square-events.producer.js';
export type { EventJobRef } from './square-events.producer.js';
export { RedisConnectionReport } from './redis-connection.js';
