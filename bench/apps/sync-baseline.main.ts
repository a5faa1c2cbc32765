// A baseline outside the pipeline: it reads its few settings from process.env itself, as a
// hand-written service would (libs/config is the pipeline's own).
// The baseline most tutorials write: verify the signature, call Square, write, then answer —
// all inside the request. Its latency follows Square's; the ingress' does not.
import 'reflect-metadata';
import { Controller, HttpCode, Module, Post, Req, UnauthorizedException } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { type Request } from 'express';
import pg from 'pg';
import { isValidSquareSignature } from '@app/square';
import { SquareApiClient } from '@app/square-api';

const env = process.env;
const key = env.SQUARE_WEBHOOK_SIGNATURE_KEYS ?? '';
const notificationUrl = env.SQUARE_WEBHOOK_NOTIFICATION_URL ?? '';
const square = new SquareApiClient({ environment: 'sandbox', baseUrl: env.SQUARE_BASE_URL, timeoutMs: 10_000 });
const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 10 });

@Controller('webhooks/square')
class SyncWebhookController {
  @Post()
  @HttpCode(200)
  async receive(@Req() req: Request): Promise<{ status: string }> {
    const body = req.body as Buffer;
    const signature = String(req.headers['x-square-hmacsha256-signature'] ?? '');
    if (!isValidSquareSignature('sha256', signature, [key], notificationUrl, body)) throw new UnauthorizedException();
    const event = JSON.parse(body.toString()) as { event_id: string; data: { id: string } };
    const { object: payment, json } = await square.retrieve('payment', event.data.id, 'bench');
    await pool.query(
      `INSERT INTO payments (id, status, version, data, last_event_id) VALUES ($1, $2, $3, $4::jsonb, $5)
       ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, data = EXCLUDED.data, last_event_id = EXCLUDED.last_event_id`,
      [payment.id, payment.status, payment.version, json, event.event_id],
    );
    return { status: 'processed' };
  }
}

@Module({ controllers: [SyncWebhookController] })
class SyncModule {}

const app = await NestFactory.create<NestExpressApplication>(SyncModule, { logger: ['error'], bodyParser: false });
app.use(express.raw({ type: () => true, limit: '1mb' }));
await app.listen(Number(env.PORT ?? 3101), '127.0.0.1');
process.once(
  'SIGTERM',
  () =>
    void app
      .close()
      .then(() => pool.end())
      .then(() => process.exit(0)),
);
