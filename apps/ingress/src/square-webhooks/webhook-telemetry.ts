import type { IncomingHttpHeaders } from 'node:http';
import type { Counter, Histogram } from 'prom-client';
import { webhookAckSeconds, webhookDeliveryLagSeconds, webhookRetryNumber, webhooksReceived } from '@app/metrics';
import { readSquareDelivery } from '@app/square';

/** How a request to the webhook route ended (the `outcome` label and log field). */
export type WebhookOutcome =
  | 'accepted'
  | 'duplicate'
  | 'bad_signature'
  | 'bad_request'
  | 'too_large'
  | 'unsupported_media_type'
  | 'method_not_allowed'
  | 'unavailable'
  | 'overloaded'
  | 'aborted'
  | 'error';

// Label children looked up once per outcome: resolving labels on every observation was a visible
// share of the ack path's CPU in profiles.
const received = new Map<WebhookOutcome, Counter.Internal>();
const ackSeconds = new Map<WebhookOutcome, Histogram.Internal<'outcome'>>();

/** Counts a delivery by outcome and times its ack; for 200s, how late Square was and how often it tried. */
export function recordWebhookTelemetry(
  outcome: WebhookOutcome,
  status: number,
  headers: IncomingHttpHeaders,
  seconds: number,
): void {
  let counter = received.get(outcome);
  if (!counter) received.set(outcome, (counter = webhooksReceived.labels(outcome)));
  let histogram = ackSeconds.get(outcome);
  if (!histogram) ackSeconds.set(outcome, (histogram = webhookAckSeconds.labels(outcome)));
  counter.inc();
  histogram.observe(seconds);
  if (status !== 200) return;
  const delivery = readSquareDelivery(headers);
  if (delivery.initialDeliveryAt)
    webhookDeliveryLagSeconds.observe(Math.max(0, (Date.now() - delivery.initialDeliveryAt.getTime()) / 1000));
  if (delivery.retryNumber !== null) webhookRetryNumber.observe(delivery.retryNumber);
}
