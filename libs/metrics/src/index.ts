export {
  canaryIntervalSeconds,
  canaryLastSuccess,
  eventProcessingSeconds,
  eventsProcessed,
  forwardAutoPauses,
  forwardDeliveries,
  forwardDestinationState,
  forwardRequestSeconds,
  tokenRefreshes,
  eventsRecovered,
  purged,
  registry,
  squareApiRequests,
  squareApiSeconds,
  squareApiUnauthorized,
  webhookAckSeconds,
  webhookDeliveryLagSeconds,
  webhookRetryNumber,
  webhooksReceived,
} from './metrics.js';
export { eventTypeLabel, httpStatusLabel } from './labels.js';
export { MetricsModule } from './metrics.module.js';
