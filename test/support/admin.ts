import { request } from 'node:http';
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

/** What a script (curl, a CLI) sends with a change: no browser headers, so the admin app wants this. */
export const JSON_CHANGE = { 'content-type': 'application/json' } as const;

export interface Call {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** The loopback address to connect from (127.0.0.0/8): another client, as far as the app can tell. */
  from?: string;
}

/**
 * One HTTP request to a spawned app, with exactly the headers given (node:http adds no
 * Sec-Fetch-* or Origin, as curl does not); JSON bodies are parsed, anything else is kept as text.
 */
export async function callApp(app: AppProcess, path: string, init: Call = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: app.port,
        path,
        method: init.method ?? 'GET',
        headers: init.headers,
        localAddress: init.from,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers))
            if (value !== undefined) headers.set(name, String(value));
          const json = headers.get('content-type')?.includes('application/json') ? (JSON.parse(text) as Json) : {};
          resolve({ status: res.statusCode ?? 0, headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
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
    [
      eventId,
      e.type ?? 'payment.updated',
      body,
      body.toString(),
      e.status ?? 'received',
      e.receivedAt ?? new Date().toISOString(),
      e.deadLetterReason ?? null,
      e.lastError ?? null,
      e.attempts ?? 0,
    ],
  );
  return body;
}
