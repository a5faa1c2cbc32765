export { JOBS, QUEUES, jobIdForEvent, squareEventJobOptions } from './queues.js';
export type { SquareEventJob } from './queues.js';
export { QueueModule } from './queue.module.js';
export { PRODUCER_REDIS, SquareEventsProducer } from './square-events.producer.js';
export type { EnqueueResult } from './square-events.producer.js';
