import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { webhookAckSeconds, webhookDeliveryLagSeconds, webhookRetryNumber, webhooksReceived } from '@app/metrics';
import { readSquareDelivery } from '@app/square';

const OUTCOME_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'bad_signature',
  405: 'method_not_allowed',
  413: 'too_large',
  415: 'unsupported_media_type',
  503: 'unavailable',
};

/** Counts every delivery by outcome and times its ack, once the response is finished. */
@Injectable()
export class WebhookTelemetryMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction): void {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      // The route names its outcome (accepted, duplicate, overloaded); else the status says it.
      const outcome = typeof res.locals.outcome === 'string' ? res.locals.outcome : (OUTCOME_BY_STATUS[res.statusCode] ?? 'error');
      webhooksReceived.inc({ outcome });
      webhookAckSeconds.observe({ outcome }, Number(process.hrtime.bigint() - started) / 1e9);
      if (res.statusCode === 200) {
        // Verified deliveries only: how late Square is, and how many times it had to try.
        const delivery = readSquareDelivery(req.headers);
        if (delivery.initialDeliveryAt) webhookDeliveryLagSeconds.observe(Math.max(0, (Date.now() - delivery.initialDeliveryAt.getTime()) / 1000));
        if (delivery.retryNumber !== null) webhookRetryNumber.observe(delivery.retryNumber);
      }
    });
    next();
  }
}
