export { errorMessage } from './error-message.js';
export { createLogger, levelEnabled } from './logger.js';
export { withoutCredentials } from './safe-url.js';
export { ThrottledLog } from './throttled-log.js';
