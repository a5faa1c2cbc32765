export { closeOnSignals } from './close-on-signals.js';
export { DependencyUnavailableException, RetryLaterException } from './dependency-unavailable.exception.js';
export { HttpErrorFilter } from './http-error.filter.js';
export { createHttpApp } from './create-http-app.js';
