export { closeOnSignals } from './close-on-signals.js';
export { DependencyUnavailableException, RetryLaterException } from './dependency-unavailable.exception.js';
export { HttpErrorFilter, errorBody, messageOf } from './http-error.filter.js';
export { createHttpApp } from './create-http-app.js';
export { RequestLog } from './request-logger.js';
export type { RequestLogEntry } from './request-logger.js';
export { runApp } from './run-app.js';
