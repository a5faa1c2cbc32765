import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

// Every metric of the pipeline, defined once per process. Apps record into these; GET /metrics
// on each app exposes them with Node's default process metrics.

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2, 5];

/** accepted, duplicate, bad_signature, bad_request, too_large, unsupported_media_type, unavailable, overloaded, … */
export const webhooksReceived = new Counter({
  name: 'square_webhooks_received_total',
  help: 'Deliveries to POST /webhooks/square, by outcome',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const webhookAckSeconds = new Histogram({
  name: 'square_webhook_ack_seconds',
  help: 'Time from request to answer on POST /webhooks/square',
  labelNames: ['outcome'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

export const webhookDeliveryLagSeconds = new Histogram({
  name: 'square_webhook_delivery_lag_seconds',
  help: 'now − square-initial-delivery-timestamp of verified deliveries (how late Square delivers)',
  buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 6 * 3600, 24 * 3600, 72 * 3600],
  registers: [registry],
});

export const webhookRetryNumber = new Histogram({
  name: 'square_webhook_retry_number',
  help: 'square-retry-number of verified deliveries (0 = first attempt)',
  buckets: [0, 1, 2, 3, 5, 10, 20, 40, 78],
  registers: [registry],
});

// Event types are counted through eventTypeLabel (outside Square's catalog: other), HTTP statuses
// through httpStatusLabel (2xx, 4xx, 5xx, timeout, network): see labels.ts.

export const eventsProcessed = new Counter({
  name: 'square_events_processed_total',
  help: "Jobs finished by the worker, by event type (other: outside Square's catalog) and outcome (applied, unchanged, duplicate, ignored, skipped, retry, dead_lettered)",
  labelNames: ['event_type', 'outcome'] as const,
  registers: [registry],
});

export const eventProcessingSeconds = new Histogram({
  name: 'square_event_processing_seconds',
  help: 'Time to process one job, by event type and outcome',
  labelNames: ['event_type', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

export const squareApiRequests = new Counter({
  name: 'square_api_requests_total',
  help: "Calls to Square's API, by operation and HTTP status class (2xx, 4xx, 5xx; timeout / network when there was no answer)",
  labelNames: ['operation', 'status'] as const,
  registers: [registry],
});

export const squareApiSeconds = new Histogram({
  name: 'square_api_request_seconds',
  help: "Latency of calls to Square's API, by operation and HTTP status class",
  labelNames: ['operation', 'status'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

export const squareApiUnauthorized = new Counter({
  name: 'square_api_unauthorized_total',
  help: 'Calls Square answered 401 (a revoked or expired access token), by operation',
  labelNames: ['operation'] as const,
  registers: [registry],
});

export const forwardDeliveries = new Counter({
  name: 'square_forward_deliveries_total',
  help: 'Attempts to deliver an event to a forwarding destination, by destination and outcome (delivered, failed: will be retried, dead_lettered)',
  labelNames: ['destination', 'outcome'] as const,
  registers: [registry],
});

export const forwardRequestSeconds = new Histogram({
  name: 'square_forward_request_seconds',
  help: 'Latency of requests to forwarding destinations, by destination and HTTP status class (2xx, 4xx, 5xx; timeout / network when there was no answer)',
  labelNames: ['destination', 'status'] as const,
  buckets: [...LATENCY_BUCKETS, 10, 30],
  registers: [registry],
});

export const forwardDestinationState = new Gauge({
  name: 'square_forward_destination_state',
  help: 'State of each forwarding destination: 1 for its current state (healthy, failing, paused), 0 for the others (read from Postgres every second by each worker)',
  labelNames: ['destination', 'state'] as const,
  registers: [registry],
});

export const forwardAutoPauses = new Counter({
  name: 'square_forward_auto_pauses_total',
  help: 'Destinations paused automatically after failing for FORWARD_AUTO_PAUSE_AFTER, by destination',
  labelNames: ['destination'] as const,
  registers: [registry],
});

export const tokenRefreshes = new Counter({
  name: 'square_token_refreshes_total',
  help: "Refreshes of sellers' OAuth access tokens, by outcome (refreshed, failed)",
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const eventsRecovered = new Counter({
  name: 'square_events_recovered_total',
  help: "Events found in Square's Events API that the inbox did not have: deliveries Square never made (the webhook gap), by event type (other: outside Square's catalog)",
  labelNames: ['event_type'] as const,
  registers: [registry],
});

export const purged = new Counter({
  name: 'square_purged_total',
  help: 'What retention removed: event bodies (events, deadLettered), deliveries and invalid bodies, by category',
  labelNames: ['category'] as const,
  registers: [registry],
});

/** Set when a canary (Square's test notification, SQUARE_CANARY_INTERVAL_MS) came back through the ingress. */
export const canaryLastSuccess = new Gauge({
  name: 'square_canary_last_success_timestamp',
  help: "Unix time (s) when Square's test notification, sent by the worker's canary, was last captured by the ingress",
  registers: [registry],
});

/** SQUARE_CANARY_INTERVAL_MS in seconds; 0 when the canary is off (the alert reads it). */
export const canaryIntervalSeconds = new Gauge({
  name: 'square_canary_interval_seconds',
  help: "How often the worker's canary asks Square for a test notification (0: off)",
  registers: [registry],
});
