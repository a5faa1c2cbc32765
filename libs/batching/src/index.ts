export { MicroBatcher } from './micro-batcher.js';
export { TimeoutError, withTimeout } from './with-timeout.js';
