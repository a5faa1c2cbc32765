import type { AppProcess } from './processes.js';
import { paymentEventBody } from './signing.js';
import type { TestDatabase } from './test-database.js';

// The admin app is started as a process (node dist/apps/admin/src/main.js), never imported:
// @bull-board/nestjs is CommonJS requiring ESM-only NestJS, which Node runs but Jest cannot.
export const ADMIN_MAIN = 'dist/apps/admin/src/main.js';

export type Json = Record<string, unknown>;

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: Json;
}

export function basicAuthHeader(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** One HTTP request to a spawned app; JSON bodies are parsed, anything else is kept as text. */
export async function callApp(app: AppProcess, path: string, init: { method?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const res = await fetch(`http://127.0.0.1:${app.port}${path}`, { method: init.method ?? 'GET', headers: init.headers });
  const text = await res.text();
  const json = res.headers.get('content-type')?.includes('application/json') ? (JSON.parse(text) as Json) : {};
  return { status: res.status, headers: res.headers, text, json };
}

export interface StoredEvent {
  type?: string;
  status?: 'received' | 'processed' | 'ignored' | 'dead_lettered';
  receivedAt?: string;
  deadLetterReason?: string;
  lastError?: string;
  attempts?: number;
}

/** An inbox row as the ingress (and the worker) would have left it; returns the raw body. */
export async function storeInboxEvent(db: TestDatabase, eventId: string, e: StoredEvent = {}): Promise<Buffer> {
  const body = paymentEventBody(eventId);
  await db.query(
    `INSERT INTO webhook_events (event_id, event_type, merchant_id, signature_algorithm, raw_body, payload, status,
       received_at, dead_letter_reason, last_error, attempts, dead_lettered_at, square_environment,
       square_initial_delivery_at, square_retry_number, square_retry_reason)
     VALUES ($1, $2, 'ML7Q2XK4ZP1N9', 'sha256', $3, $4::jsonb, $5::webhook_event_status, $6::timestamptz, $7, $8, $9,
       CASE WHEN $5 = 'dead_lettered' THEN now() END, 'Sandbox', '2024-05-01T09:59:58Z', 1, 'http_timeout')`,
    [eventId, e.type ?? 'payment.updated', body, body.toString(), e.status ?? 'received', e.receivedAt ?? new Date().toISOString(),
      e.deadLetterReason ?? null, e.lastError ?? null, e.attempts ?? 0],
  );
  return body;
}
