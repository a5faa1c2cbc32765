import {
  BadRequestException,
  HttpException,
  Injectable,
  NestMiddleware,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import express, { NextFunction, Request, Response } from 'express';
import { IngressConfig } from '@app/config';
import { RetryLaterException } from '@app/http';
import { InFlightBudget } from './in-flight-budget.js';

export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

/**
 * Reads the webhook body as raw bytes (req.body becomes a Buffer): the signature is computed
 * over exactly these bytes, and nothing may parse the body before the guard has verified it.
 * Bodies held at once are bounded (INGRESS_MAX_INFLIGHT_BODY_MIB): past the bound a delivery gets
 * 503 + Retry-After before its body is read, and Square delivers it again.
 */
@Injectable()
export class WebhookBodyMiddleware implements NestMiddleware {
  private readonly readRaw = express.raw({ type: () => true, limit: MAX_WEBHOOK_BODY_BYTES, inflate: false });
  private readonly budget: InFlightBudget;

  constructor(config: IngressConfig) {
    this.budget = new InFlightBudget(config.maxInFlightBodyBytes);
  }

  // Async, so a rejection reaches Nest's exception filters instead of Express' HTML error page.
  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    if (!isJsonContentType(req.headers['content-type'])) {
      throw new UnsupportedMediaTypeException('Content-Type must be application/json');
    }
    const declared = Number(req.headers['content-length']);
    // A body that declares more than the limit is refused by the reader without being read.
    if (!(declared > MAX_WEBHOOK_BODY_BYTES)) {
      // Without a Content-Length (chunked), count the most the body may be.
      const bytes = Number.isFinite(declared) ? declared : MAX_WEBHOOK_BODY_BYTES;
      if (!this.budget.tryTake(bytes)) {
        res.locals.outcome = 'overloaded';
        throw new RetryLaterException('too many deliveries in progress; retry later', 5);
      }
      // 'close' comes once the answer is sent or the client went away: the body is no longer held.
      res.once('close', () => this.budget.give(bytes));
    }
    await new Promise<void>((resolve, reject) => {
      this.readRaw(req, res, (err?: unknown) => (err ? reject(toHttpException(err)) : resolve()));
    });
    if (!Buffer.isBuffer(req.body)) req.body = Buffer.alloc(0); // no body at all
    next();
  }
}

function isJsonContentType(header: string | undefined): boolean {
  return header?.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

function toHttpException(err: unknown): HttpException {
  const type = (err as { type?: string }).type;
  if (type === 'entity.too.large') return new PayloadTooLargeException(`body exceeds ${MAX_WEBHOOK_BODY_BYTES} bytes`);
  if (type === 'encoding.unsupported') return new UnsupportedMediaTypeException('Content-Encoding is not supported');
  return new BadRequestException('could not read the request body');
}
