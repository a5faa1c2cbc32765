export {
  canaryIntervalSeconds,
  canaryLastSuccess,
  eventProcessingSeconds,
  eventsProcessed,
  forwardDeliveries,
  forwardRequestSeconds, tokenRefreshes, eventsRecovered, purged,
  registry,
  squareApiRequests,
  squareApiSeconds,
  webhookAckSeconds,
  webhookDeliveryLagSeconds,
  webhookRetryNumber,
  webhooksReceived,
} from './metrics.js';
export { MetricsModule } from './metrics.module.js';
export { QueueMetricsCollector } from './queue-metrics.collector.js';
