import { All, Controller, HttpCode, HttpException, HttpStatus, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CaptureWebhookUseCase, WebhookAck } from './capture-webhook.use-case.js';
import { SquareSignatureGuard } from './square-signature.guard.js';
import { verifiedAlgorithm } from './verified-request.js';

export const WEBHOOK_PATH = 'webhooks/square';

@Controller(WEBHOOK_PATH)
export class SquareWebhooksController {
  constructor(private readonly capture: CaptureWebhookUseCase) {}

  @Post()
  @HttpCode(200)
  @UseGuards(SquareSignatureGuard)
  async receive(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<WebhookAck> {
    const ack = await this.capture.execute(req.body as Buffer, req.headers, verifiedAlgorithm(req));
    // For the request log line and the metrics (WebhookTelemetryMiddleware).
    res.locals.eventId = ack.eventId;
    res.locals.outcome = ack.status;
    return ack;
  }

  @All()
  methodNotAllowed(@Res({ passthrough: true }) res: Response): never {
    res.setHeader('Allow', 'POST');
    throw new HttpException('only POST is allowed here', HttpStatus.METHOD_NOT_ALLOWED);
  }
}
