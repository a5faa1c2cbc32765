import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeSquareServer, SAMPLE_PAYMENTS } from '@app/testing';
import { OtlpReceiver, type ReceivedSpan } from './support/otlp-receiver.js';
import { spawnApp, type AppProcess } from './support/processes.js';
import { WebhookReceiver } from './support/receiver.js';
import { REDIS_URL, deleteQueuePrefix } from './support/redis.js';
import { NOTIFICATION_URL, signedHeaders } from './support/signing.js';
import { createTestDatabase, uniqueName, type TestDatabase } from './support/test-database.js';
import { eventually } from './support/worker.js';

const KEY = 'whsk_test_key';
const SECRET = `whsec_${Buffer.from('tracing'.padEnd(32, '.')).toString('base64')}`;
const PAYMENT = SAMPLE_PAYMENTS[0]! as { id: string };
// In the webhook's payload only: no span and no export may contain it.
const MARKER = `payload-marker-${Date.now()}`;
const KIND = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };

const webhookBody = (eventId: string) =>
  Buffer.from(
    JSON.stringify({
      merchant_id: 'MTRACE',
      type: 'payment.updated',
      event_id: eventId,
      created_at: new Date().toISOString(),
      data: {
        type: 'payment',
        id: PAYMENT.id,
        object: { payment: { id: PAYMENT.id, status: 'COMPLETED', note: MARKER } },
      },
    }),
  );

/** The JSON lines of a process's output that contain all of `parts`. */
const linesOf = (output: string, ...parts: string[]) =>
  output
    .split('\n')
    .filter((line) => line.startsWith('{') && parts.every((p) => line.includes(p)))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('tracing: one OpenTelemetry trace per event, from capture to the forwarded request', () => {
  let db: TestDatabase;
  let prefix: string;
  let fake: FakeSquareServer;
  let ingress: AppProcess;
  let worker: AppProcess;
  const otlp = new OtlpReceiver();
  const destination = new WebhookReceiver(SECRET);

  beforeAll(async () => {
    db = await createTestDatabase('tracing');
    prefix = uniqueName('q');
    fake = new FakeSquareServer({ synthesize: true });
    fake.put('payment', PAYMENT);
    await Promise.all([fake.listen(), otlp.listen(), destination.listen()]);
    const dir = mkdtempSync(join(tmpdir(), 'tracing-'));
    writeFileSync(
      join(dir, 'destinations.yml'),
      `destinations:
  - name: team
    url: ${destination.url}
    secret: \${TEAM_WEBHOOK_SECRET}
    eventTypes: [payment.*]
`,
    );
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'log',
      SQUARE_WEBHOOK_SIGNATURE_KEYS: KEY,
      SQUARE_WEBHOOK_NOTIFICATION_URL: NOTIFICATION_URL,
      SQUARE_ACCESS_TOKEN: 'test-token',
      SQUARE_BASE_URL: fake.url,
      JOB_ATTEMPTS: '3',
      JOB_BACKOFF_MS: '50',
      FORWARD_DESTINATIONS_FILE: join(dir, 'destinations.yml'),
      TEAM_WEBHOOK_SECRET: SECRET,
      // Tracing on through the standard variables only; exported every 100 ms.
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    ingress = await spawnApp('ingress', env, 'INGRESS_PORT');
    worker = await spawnApp('worker', env, 'WORKER_PORT');
  });

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await ingress?.stop('SIGKILL');
    await fake?.close();
    await otlp.close();
    await destination.close();
    await deleteQueuePrefix(prefix);
    await db?.drop();
  });

  it('capture, relay, a retried attempt, the Square call, the transaction, the handlers and the delivery share one trace', async () => {
    const eventId = `trace-${Date.now()}`;
    // Square's API fails the first retrieve: attempt 1 is retried, attempt 2 applies.
    fake.fail({ id: PAYMENT.id, status: 500, times: 1 });
    const body = webhookBody(eventId);
    const answer = await fetch(`http://127.0.0.1:${ingress.port}/webhooks/square`, {
      method: 'POST',
      body,
      headers: signedHeaders(body, KEY),
    });
    expect(answer.status).toBe(200);

    const forwarded = await eventually(async () => destination.of(eventId)[0], 20_000, 'the forwarded request');
    const spansOf = (name: string) =>
      otlp.spans.filter(
        (s) =>
          s.name === name &&
          (s.attributes['square.event.id'] === eventId || s.attributes['messaging.message.id'] === eventId),
      );
    // Every span of the event, once exported: the forward's client span is the last to end.
    await eventually(
      async () => spansOf('POST').length === 1 && spansOf('process square-events').length === 2,
      10_000,
      'the spans',
    );

    const [create] = spansOf('create square-events');
    expect(create).toMatchObject({ service: 'square-webhooks-ingress', kind: KIND.producer });
    expect(create!.attributes).toMatchObject({
      'messaging.operation.type': 'create',
      'messaging.destination.name': 'square-events',
      'square.event.type': 'payment.updated',
      'square.merchant.id': 'MTRACE',
    });
    const traceId = create!.traceId;
    const byId = new Map(otlp.spans.filter((s) => s.traceId === traceId).map((s) => [s.spanId, s]));
    const parentOf = (s: ReceivedSpan) => byId.get(s.parentSpanId);

    // The request is the root; the capture its child; its traceparent is stored with the event.
    expect(parentOf(create!)).toMatchObject({ name: 'POST /webhooks/square', kind: KIND.server, parentSpanId: '' });
    expect(parentOf(create!)!.attributes['http.response.status_code']).toBe(200);
    const [stored] = await db.query<{ trace_context: string }>(
      'SELECT trace_context FROM webhook_events WHERE event_id = $1',
      [eventId],
    );
    expect(stored!.trace_context).toBe(`00-${traceId}-${create!.spanId}-01`);

    // The relay's publish, under the capture.
    const sends = spansOf('send square-events');
    expect(sends.length).toBeGreaterThanOrEqual(1);
    for (const send of sends)
      expect(send).toMatchObject({
        service: 'square-webhooks-worker',
        kind: KIND.producer,
        traceId,
        parentSpanId: create!.spanId,
      });

    // Two attempts, each a child of the capture: the first retried (Square answered 500), the second applied.
    const attempts = spansOf('process square-events').sort(
      (a, b) => Number(a.attributes['pipeline.attempt']) - Number(b.attributes['pipeline.attempt']),
    );
    expect(
      attempts.map((a) => [
        a.traceId,
        a.parentSpanId,
        a.kind,
        a.attributes['pipeline.attempt'],
        a.attributes['pipeline.outcome'],
      ]),
    ).toEqual([
      [traceId, create!.spanId, KIND.consumer, 1, 'retry'],
      [traceId, create!.spanId, KIND.consumer, 2, 'applied'],
    ]);
    expect(attempts[0]!.statusCode).toBe(2);
    const childrenOf = (s: ReceivedSpan) =>
      otlp.spans.filter((c) => c.traceId === traceId && c.parentSpanId === s.spanId);
    // Each attempt's Square call is an HTTP client span under it.
    const squareCalls = attempts.map((a) => childrenOf(a).filter((c) => c.kind === KIND.client));
    expect(squareCalls.map((calls) => calls.map((c) => [c.name, c.attributes['http.response.status_code']]))).toEqual([
      [['GET', 500]],
      [['GET', 200]],
    ]);
    expect(String(squareCalls[1]![0]!.attributes['url.full'])).toBe(`${fake.url}/v2/payments/${PAYMENT.id}`);
    // The second attempt's transaction, with the handlers inside it; the first never opened one.
    expect(childrenOf(attempts[0]!).filter((c) => c.name === 'apply transaction')).toEqual([]);
    const [transaction] = childrenOf(attempts[1]!).filter((c) => c.name === 'apply transaction');
    expect(
      childrenOf(transaction!)
        .map((c) => c.name)
        .sort(),
    ).toEqual(['handler forward', 'handler square-mirror']);

    // The delivery: an HTTP client span in the same trace, whose context the destination received.
    const [post] = spansOf('POST');
    expect(post).toMatchObject({ kind: KIND.client, traceId, parentSpanId: create!.spanId });
    expect(post!.attributes).toMatchObject({
      'pipeline.destination': 'team',
      'pipeline.attempt': 1,
      'http.response.status_code': 200,
      'http.request.method': 'POST',
    });
    expect(post!.attributes['url.full']).toBeUndefined();
    expect(forwarded.headers.traceparent).toBe(`00-${traceId}-${post!.spanId}-01`);
    expect(forwarded.verified).toBe(true);

    // Nothing of the payload, the keys or the secrets in any span.
    const exported = otlp.bodies.join('\n');
    for (const secret of [MARKER, KEY, SECRET, 'COMPLETED', 'test-token']) expect(exported).not.toContain(secret);

    // The worker's log lines of the attempts carry their trace and span.
    const logged = worker
      .output()
      .split('\n')
      .filter((line) => line.includes('"job ') && line.includes(eventId))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged.map((l) => [l.trace_id, l.span_id])).toEqual(attempts.map((a) => [traceId, a.spanId]));
  });
  it("continues a proxy's traceparent and keeps its tracestate to the forwarded request; a repeat delivery links to the event's trace; the request log lines name their spans", async () => {
    const eventId = `trace-state-${Date.now()}`;
    const body = webhookBody(eventId);
    const inbound = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' };
    const tracestate = 'vendor=opaque-1,other=2';
    const post = (headers: Record<string, string>) =>
      fetch(`http://127.0.0.1:${ingress.port}/webhooks/square`, {
        method: 'POST',
        body,
        headers: { ...signedHeaders(body, KEY), ...headers },
      });
    const first = await post({ traceparent: `00-${inbound.traceId}-${inbound.spanId}-01`, tracestate });
    expect(first.status).toBe(200);
    const forwarded = await eventually(async () => destination.of(eventId)[0], 20_000, 'the forwarded request');

    const creates = () =>
      otlp.spans.filter((s) => s.name === 'create square-events' && s.attributes['square.event.id'] === eventId);
    await eventually(async () => creates().length === 1, 10_000, 'the capture span');
    const [create] = creates();
    // The request continues the proxy's trace; the capture's context is stored with the tracestate.
    expect(create!.traceId).toBe(inbound.traceId);
    const request = otlp.spans.find((s) => s.spanId === create!.parentSpanId)!;
    expect(request).toMatchObject({ kind: KIND.server, parentSpanId: inbound.spanId });
    const [stored] = await db.query<{ trace_context: string }>(
      'SELECT trace_context FROM webhook_events WHERE event_id = $1',
      [eventId],
    );
    expect(stored!.trace_context).toBe(`00-${inbound.traceId}-${create!.spanId}-01 ${tracestate}`);
    // The delivery carries both to the destination, its own span in traceparent.
    expect(forwarded.headers.traceparent).toMatch(new RegExp(`^00-${inbound.traceId}-[0-9a-f]{16}-01$`));
    expect(forwarded.headers.tracestate).toBe(tracestate);

    // Square delivers the event again (no proxy this time): a request and a capture of their own,
    // in a trace of their own, the capture linked to the event's capture span.
    const again = await post({});
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ status: 'duplicate' });
    await eventually(async () => creates().length === 2, 10_000, "the repeat's capture span");
    const repeat = creates().find((s) => s.spanId !== create!.spanId)!;
    expect(repeat.traceId).not.toBe(inbound.traceId);
    expect(repeat.links.map((l) => [l.traceId, l.spanId])).toEqual([[inbound.traceId, create!.spanId]]);
    expect(repeat.attributes['pipeline.outcome']).toBe('duplicate');
    expect(create!.links).toEqual([]);
    const repeatRequest = otlp.spans.find((s) => s.spanId === repeat.parentSpanId)!;
    expect(repeatRequest).toMatchObject({ kind: KIND.server, traceId: repeat.traceId, parentSpanId: '' });

    // The ingress's request log lines carry the trace and the request's span.
    const logged = await eventually(
      async () => {
        const lines = linesOf(ingress.output(), '"request"', eventId);
        return lines.length === 2 ? lines : undefined;
      },
      5_000,
      'the request log lines',
    );
    expect(logged.map((l) => [l.outcome, l.trace_id, l.span_id])).toEqual([
      ['accepted', inbound.traceId, request.spanId],
      ['duplicate', repeat.traceId, repeatRequest.spanId],
    ]);
  });
});
