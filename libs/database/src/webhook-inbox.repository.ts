import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { SignatureAlgorithm, SquareDelivery, SquareWebhookEvent } from '@app/square';
import { PrismaService } from './prisma.service.js';

export type DeliveryOutcome = 'new' | 'duplicate';

export interface RecordDeliveryInput {
  event: SquareWebhookEvent;
  rawBody: Buffer;
  signatureAlgorithm: SignatureAlgorithm;
  delivery: SquareDelivery;
}

/** Postgres refused the JSON (e.g. a \u0000 escape, which jsonb cannot hold). */
export class UnstorablePayloadError extends Error {}

// SQLSTATEs for JSON that JavaScript accepts but jsonb does not.
const UNSTORABLE_JSON = new Set(['22P05', '22P02', '22030', '22032']);

@Injectable()
export class WebhookInboxRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Inserts the event or, when its id is already there, counts one more delivery. A single
   * statement: concurrent deliveries of one event serialize on the primary key, and exactly
   * one of them sees delivery_count = 1, the "new" one that enqueues the job.
   */
  async recordDelivery({ event, rawBody, signatureAlgorithm, delivery }: RecordDeliveryInput): Promise<DeliveryOutcome> {
    try {
      const rows = await this.prisma.$queryRaw<{ delivery_count: number }[]>`
        INSERT INTO webhook_events (event_id, event_type, merchant_id, signature_algorithm, raw_body, payload,
          square_environment, square_initial_delivery_at, square_retry_number, square_retry_reason)
        VALUES (${event.eventId}, ${event.type}, ${event.merchantId}, ${signatureAlgorithm}, ${rawBody},
          ${JSON.stringify(event.payload)}::jsonb, ${delivery.environment}, ${delivery.initialDeliveryAt},
          ${delivery.retryNumber}, ${delivery.retryReason})
        ON CONFLICT (event_id) DO UPDATE SET
          delivery_count = webhook_events.delivery_count + 1,
          last_delivered_at = now(),
          square_retry_number = GREATEST(webhook_events.square_retry_number, EXCLUDED.square_retry_number),
          square_retry_reason = COALESCE(EXCLUDED.square_retry_reason, webhook_events.square_retry_reason),
          updated_at = now()
        RETURNING delivery_count`;
      return rows[0]?.delivery_count === 1 ? 'new' : 'duplicate';
    } catch (err) {
      if (UNSTORABLE_JSON.has(sqlState(err) ?? '')) throw new UnstorablePayloadError((err as Error).message);
      throw err;
    }
  }

  /** Keeps a signed body we could not read, once per distinct body, counting its deliveries. */
  async keepInvalid(input: {
    rawBody: Buffer;
    reason: string;
    signatureAlgorithm: SignatureAlgorithm;
    headers: Record<string, string>;
  }): Promise<void> {
    const sha = createHash('sha256').update(input.rawBody).digest('hex');
    await this.prisma.$executeRaw`
      INSERT INTO invalid_webhooks (body_sha256, raw_body, reason, signature_algorithm, headers)
      VALUES (${sha}, ${input.rawBody}, ${input.reason}, ${input.signatureAlgorithm}, ${JSON.stringify(input.headers)}::jsonb)
      ON CONFLICT (body_sha256) DO UPDATE SET
        delivery_count = invalid_webhooks.delivery_count + 1,
        last_received_at = now()`;
  }
}

/** The Postgres SQLSTATE behind an error: Prisma nests it in meta.driverAdapterError.cause. */
export function sqlState(err: unknown): string | undefined {
  const meta = (err as { meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } })?.meta;
  const code = meta?.driverAdapterError?.cause?.originalCode;
  return typeof code === 'string' ? code : undefined;
}
