export { errorMessage } from './error-message.js';
export { createLogger } from './logger.js';
