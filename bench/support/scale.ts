import { startService } from './processes.js';
import type { Report } from './report.js';
import { freshDatabase } from './stack.js';
import { runNode } from '../../test/support/cli.js';

// A million inbox rows, made by Postgres itself: five event types, 200 sellers, 1 % dead-lettered,
// payments of three statuses, received over the last ~58 days.
const FILL = `
  INSERT INTO webhook_events (event_id, event_type, merchant_id, signature_algorithm, raw_body, payload, status, received_at, processed_at)
  SELECT 'scale-' || g, (ARRAY['payment.updated','payment.created','refund.updated','order.updated','customer.updated'])[1 + g % 5],
         'M' || (g % 200), 'sha256', convert_to(p::text, 'UTF8'), p,
         (CASE WHEN g % 100 = 0 THEN 'dead_lettered' ELSE 'processed' END)::webhook_event_status,
         now() - interval '60 days' + g * interval '5 seconds', now() - interval '60 days' + g * interval '5 seconds'
  FROM generate_series(1, $1::int) AS g,
  LATERAL (SELECT jsonb_build_object('merchant_id', 'M' || (g % 200), 'type', 'payment.updated', 'event_id', 'scale-' || g, 'created_at', now(),
    'data', jsonb_build_object('type', 'payment', 'id', 'pay_' || g, 'object', jsonb_build_object('payment', jsonb_build_object(
      'id', 'pay_' || g, 'status', (ARRAY['COMPLETED','FAILED','APPROVED'])[1 + g % 3], 'amount_money', jsonb_build_object('amount', g % 10000, 'currency', 'USD'))))))
  AS x(p)`;

export const QUERIES: Array<[string, string]> = [
  ['newest first, no filter', ''],
  ['status=dead_lettered', 'status=dead_lettered'],
  ['status=dead_lettered&type=refund.updated (matches nothing)', 'status=dead_lettered&type=refund.updated'],
  ['merchant=M42', 'merchant=M42'],
  ['objectId=pay_4242', 'objectId=pay_4242'],
  [
    'contains={"data":{"object":{"payment":{"status":"FAILED"}}}}',
    `contains=${encodeURIComponent('{"data":{"object":{"payment":{"status":"FAILED"}}}}')}`,
  ],
  [
    'contains=…{"amount":4242}… (rare)',
    `contains=${encodeURIComponent('{"data":{"object":{"payment":{"amount_money":{"amount":4242}}}}}')}`,
  ],
  [
    'type=order.updated&receivedFrom=<30 days ago>',
    `type=order.updated&receivedFrom=${new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10)}`,
  ],
];

// The console's pages (HTML, the same queries plus the page's own): each filter, one event's page, and the summaries.
const PAGES: Array<[string, string]> = [
  ...QUERIES.map(([label, query]): [string, string] => [`/events ${label}`, `/events?${query}`]),
  ['/events type=payment.*', '/events?type=payment.*'],
  ["/events/scale-4242 (an event's page)", '/events/scale-4242'],
  ['/ (overview)', '/'],
  ['/dead-letters (grouped)', '/dead-letters'],
];

/** Median of 5 GETs, in ms (one decimal), and the last answer's text. */
export async function median(url: string): Promise<{ ms: number; text: string }> {
  const times: number[] = [];
  let text = '';
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    const res = await fetch(url);
    text = await res.text();
    if (!res.ok) throw new Error(`${url} answered ${res.status}: ${text.slice(0, 200)}`);
    times.push(performance.now() - started);
  }
  return { ms: Math.round(times.sort((a, b) => a - b)[2]! * 10) / 10, text };
}

/** 7. The inbox at a million rows: the admin API's list and the console's pages (median of 5 calls, over HTTP), and the purge rate. */
export async function scaleRun(rows: number, report: Report): Promise<void> {
  const db = await freshDatabase();
  try {
    let t0 = performance.now();
    // The months the rows fall in (a fresh database has this month and those ahead).
    await db.pool.query("SELECT webhook_events_make_partitions(now() - interval '3 months', 3)");
    await db.pool.query(FILL, [rows]);
    await db.pool.query('ANALYZE webhook_events');
    const fillSeconds = (performance.now() - t0) / 1000;
    const admin = await startService(
      'admin',
      'admin',
      { DATABASE_URL: db.url, ADMIN_AUTH_DISABLED: 'true', ADMIN_HOST: '127.0.0.1' },
      'ADMIN_PORT',
    );
    const list: Array<{ query: string; ms: number; events: number }> = [];
    const pages: Array<{ page: string; ms: number }> = [];
    try {
      for (const [label, query] of QUERIES) {
        const { ms, text } = await median(`http://127.0.0.1:${admin.port}/admin/api/events?${query}`);
        list.push({ query: label, ms, events: (JSON.parse(text) as { events: unknown[] }).events.length });
      }
      for (const [label, path] of PAGES)
        pages.push({ page: label, ms: (await median(`http://127.0.0.1:${admin.port}${path}`)).ms });
    } finally {
      await admin.stop();
    }
    t0 = performance.now();
    const purge = await runNode(
      'dist/apps/cli/src/events.main.js',
      ['purge', '--older-than', '1d'],
      { DATABASE_URL: db.url },
      600_000,
    );
    const purgeSeconds = (performance.now() - t0) / 1000;
    const purged = Number(/: (\d+) processed/.exec(purge.stdout)?.[1] ?? 0);
    for (const l of list) console.log(`scale: ${l.query}: ${l.ms} ms (${l.events} events)`);
    for (const p of pages) console.log(`scale: console ${p.page}: ${p.ms} ms`);
    console.log(
      `scale: ${rows} rows filled in ${fillSeconds.toFixed(0)} s; purge of ${purged} bodies took ${purgeSeconds.toFixed(1)} s (${(purged / purgeSeconds).toFixed(0)} rows/s)`,
    );
    report.scale = { rows, list, pages, purged, purgeSeconds };
  } finally {
    await db.drop();
  }
}
