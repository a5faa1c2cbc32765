export { BatcherOverloadedError, MicroBatcher } from './micro-batcher.js';
export type { MicroBatcherOptions } from './micro-batcher.js';
