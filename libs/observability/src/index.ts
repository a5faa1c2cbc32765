export { errorMessage } from './error-message.js';
export { createLogger, levelEnabled } from './logger.js';
