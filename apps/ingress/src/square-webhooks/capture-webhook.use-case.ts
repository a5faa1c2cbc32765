import type { IncomingHttpHeaders } from 'node:http';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { type RecordedDelivery, UnstorablePayloadError, WebhookInboxRepository } from '@app/database';
import { withTimeout } from '@app/timeouts';
import { ACK_BUDGET } from './ack-budget.js';
import { errorMessage } from '@app/observability';
import { SignatureAlgorithm, parseSquareWebhook, readSquareDelivery } from '@app/square';
import { DependencyUnavailableException } from '@app/http';
import { traceCapture } from '@app/tracing';

/** What became of a verified delivery; an outage of Postgres throws DependencyUnavailableException. */
export type CaptureResult =
  | { status: 'accepted' | 'duplicate'; eventId: string }
  /** Signed but not an event we can read: kept in invalid_webhooks; answered 400 (Square would retry a 5xx forever). */
  | { status: 'invalid'; reason: string };

/** What the use case needs of the inbox (a spec's fake implements exactly this). */
export type InboxWrites = Pick<WebhookInboxRepository, 'recordDelivery' | 'keepInvalid'>;

/**
 * Verified body → inbox row (and its job in the outbox, same commit). The whole ack path of a
 * webhook: Redis is not on it; the worker's relay enqueues the job.
 */
@Injectable()
export class CaptureWebhookUseCase {
  private readonly logger = new Logger(CaptureWebhookUseCase.name);

  constructor(@Inject(WebhookInboxRepository) private readonly inbox: InboxWrites) {}

  async execute(
    rawBody: Buffer,
    headers: IncomingHttpHeaders,
    signatureAlgorithm: SignatureAlgorithm,
  ): Promise<CaptureResult> {
    const databaseDeadline = Date.now() + ACK_BUDGET.databaseMs;
    const delivery = readSquareDelivery(headers);
    const parsed = parseSquareWebhook(rawBody, delivery.initialDeliveryTimestamp ?? undefined);
    if (!parsed.ok) return this.keepInvalid(rawBody, parsed.reason, signatureAlgorithm, headers, databaseDeadline);

    const { event } = parsed;
    let recorded: RecordedDelivery;
    try {
      // The capture span's context is stored with the event: its later spans join this trace. A
      // repeat delivery's capture span links to the context stored by the first.
      recorded = await traceCapture(
        { id: event.eventId, type: event.type, merchantId: event.merchantId },
        (traceContext) =>
          withDeadline(
            this.inbox.recordDelivery({ event, signatureAlgorithm, delivery, traceContext }),
            databaseDeadline,
          ),
        (r) => (r.outcome === 'duplicate' ? r.traceContext : null),
      );
    } catch (err) {
      if (err instanceof UnstorablePayloadError) {
        const reason = `Postgres refused the payload: ${errorMessage(err).slice(0, 200)}`;
        return this.keepInvalid(rawBody, reason, signatureAlgorithm, headers, databaseDeadline);
      }
      throw this.databaseUnavailable(err, event.eventId);
    }
    // The request log line (eventId, outcome) and the metrics record the delivery.
    return { status: recorded.outcome === 'new' ? 'accepted' : 'duplicate', eventId: recorded.eventId };
  }

  /** A signed body is Square's: kept in invalid_webhooks for inspection. */
  private async keepInvalid(
    rawBody: Buffer,
    reason: string,
    signatureAlgorithm: SignatureAlgorithm,
    headers: IncomingHttpHeaders,
    databaseDeadline: number,
  ): Promise<CaptureResult> {
    try {
      await withDeadline(
        this.inbox.keepInvalid({ rawBody, reason, signatureAlgorithm, headers: keptHeaders(headers) }),
        databaseDeadline,
      );
    } catch (err) {
      throw this.databaseUnavailable(err, null);
    }
    this.logger.warn('signed webhook kept as invalid', { reason, bytes: rawBody.length });
    return { status: 'invalid', reason };
  }

  private databaseUnavailable(err: unknown, eventId: string | null): DependencyUnavailableException {
    this.logger.error('could not store webhook; answering 503 so Square retries', {
      eventId,
      error: errorMessage(err),
    });
    return new DependencyUnavailableException('database');
  }
}

/** Headers worth keeping with an invalid body: Square's own and the content type. */
function keptHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (
      name === 'content-type' ||
      name === 'user-agent' ||
      name.startsWith('square-') ||
      name.startsWith('x-square-')
    ) {
      kept[name] = Array.isArray(value) ? value.join(', ') : value;
    }
  }
  return kept;
}

/** `work`, or a rejection once `deadline` (epoch ms) has passed. */
function withDeadline<T>(work: Promise<T>, deadline: number): Promise<T> {
  return withTimeout(work, deadline - Date.now(), `no answer within ${ACK_BUDGET.databaseMs} ms`);
}
