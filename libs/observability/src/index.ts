export { errorMessage } from './error-message.js';
export { correlateLogsWith, createLogger, levelEnabled, type ActiveSpanIds } from './logger.js';
export { withoutCredentials } from './safe-url.js';
export { ThrottledLog } from './throttled-log.js';
