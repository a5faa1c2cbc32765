// The queues at run time (bullmq, ioredis): for the apps with Redis (worker, admin, CLIs). Names and
// payload types are libs/queue's.
export { DeadLetterQueue } from './dead-letter.queue.js';
export { forwardJobOptions, squareEventJobOptions } from './job-options.js';
export { QueueMetricsCollector } from './queue-metrics.collector.js';
export { QueueModule } from './queue.module.js';
export { QueueScrubber } from './queue-scrubber.js';
export type { QueueScrubResult, StoredJob } from './queue-scrubber.js';
export { RedisConnectionReport } from './redis-connection.js';
export type { RedisClient } from './redis-connection.js';
export { PRODUCER_REDIS, SquareEventsProducer } from './square-events.producer.js';
export type { QueuedState } from './square-events.producer.js';
