// A baseline outside the pipeline: it reads its few settings from process.env itself, as a
// hand-written service would (libs/config is the pipeline's own).
// The baseline the ingress must beat: a plain Express handler written from Square's docs — raw
// body, HMAC-SHA256 in constant time, one INSERT … ON CONFLICT per request on a pool of 10, one
// BullMQ add per new event, then 200. No batching, no outbox, no framework around it.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Queue } from 'bullmq';
import express from 'express';
import pg from 'pg';

const env = process.env;
const key = env.SQUARE_WEBHOOK_SIGNATURE_KEYS ?? '';
const notificationUrl = env.SQUARE_WEBHOOK_NOTIFICATION_URL ?? '';
const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 10 });
const queue = new Queue('square-events', {
  connection: { url: env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
  prefix: env.QUEUE_PREFIX,
});

const app = express();
app.disable('x-powered-by');
app.post('/webhooks/square', express.raw({ type: 'application/json', limit: '1mb' }), async (req, res) => {
  const body = req.body as Buffer;
  const given = Buffer.from(String(req.headers['x-square-hmacsha256-signature'] ?? ''), 'base64');
  const expected = createHmac('sha256', key).update(notificationUrl).update(body).digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return void res.status(401).end();
  let event: { event_id: string; type: string; merchant_id?: string };
  try {
    event = JSON.parse(body.toString('utf8')) as typeof event;
  } catch {
    return void res.status(400).end();
  }
  try {
    // A known id is skipped by the inbox's own trigger (webhook_event_ids), as ON CONFLICT DO NOTHING did.
    const { rowCount } = await pool.query(
      `INSERT INTO webhook_events (event_id, event_type, merchant_id, signature_algorithm, raw_body, payload)
       VALUES ($1, $2, $3, 'sha256', $4, $5::jsonb)`,
      [event.event_id, event.type, event.merchant_id ?? null, body, body.toString('utf8')],
    );
    if (rowCount === 1)
      await queue.add('process-event', { eventId: event.event_id }, { jobId: event.event_id, removeOnComplete: true });
    res.json({ status: rowCount === 1 ? 'accepted' : 'duplicate', eventId: event.event_id });
  } catch {
    res.status(503).end();
  }
});
const server = app.listen(Number(env.PORT ?? 3102), '127.0.0.1');
process.once('SIGTERM', () =>
  server.close(() => void Promise.all([pool.end(), queue.close()]).then(() => process.exit(0))),
);
