export { startTracing, tracesUrl, type StopTracing } from './start-tracing.js';
export {
  ATTR,
  traceAttempt,
  traceCapture,
  traceHandler,
  traceHttpRequest,
  traceRelay,
  traceStep,
  traceTransaction,
  traceWebhookRequest,
  tracingStarted,
  type EventRef,
  type HttpRequestRef,
  type RelayedEvent,
  type StoredEventTrace,
} from './spans.js';
