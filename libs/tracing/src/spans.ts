import type { IncomingHttpHeaders } from 'node:http';
import type * as OtelApi from '@opentelemetry/api';
import type { Attributes, Context, Span, SpanKind, TraceState, Tracer } from '@opentelemetry/api';
import { contextOf, headersOf, spanContextOf, storedFormOf, useOtel } from './trace-context.js';

// The spans of one event (docs/TRACING.md). Every helper runs `work` untouched while tracing is off:
// one boolean test, no span, no context, so an unconfigured pipeline pays nothing. Attributes name
// the event (id, type, merchant), never its payload, a URL's query or credentials, or an error's
// message (a handler's error may quote the payload): errors are recorded by their class (error.type).
// Not even @opentelemetry/api is loaded while tracing is off: startTracing imports it and hands it here.

/** The attributes of our own, named once. Messaging ones are the semantic conventions' (incubating, so copied). */
export const ATTR = {
  eventId: 'square.event.id',
  eventType: 'square.event.type',
  merchantId: 'square.merchant.id',
  attempt: 'pipeline.attempt',
  outcome: 'pipeline.outcome',
  handler: 'pipeline.handler',
  destination: 'pipeline.destination',
  messagingSystem: 'messaging.system',
  messagingOperationType: 'messaging.operation.type',
  messagingOperationName: 'messaging.operation.name',
  messagingDestination: 'messaging.destination.name',
  messagingMessageId: 'messaging.message.id',
} as const;

// The stable HTTP and error attributes of the semantic conventions, by name: importing
// @opentelemetry/semantic-conventions costs every process 50-100 ms of start-up, tracing on or off.
const ATTR_ERROR_TYPE = 'error.type';
const ATTR_HTTP_REQUEST_METHOD = 'http.request.method';
const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
const ATTR_HTTP_ROUTE = 'http.route';
const ATTR_SERVER_ADDRESS = 'server.address';
const ATTR_SERVER_PORT = 'server.port';
const ATTR_URL_FULL = 'url.full';

/** The queue every event travels through, as the spans name it. */
const EVENTS_QUEUE = 'square-events';

let on = false;
// Set with `on` (markTracingStarted): read only while tracing is on.
let api: typeof OtelApi;
let tracer: Tracer;

/** Called once the SDK is registered (startTracing), with the API it registered it in. */
export function markTracingStarted(otel: typeof OtelApi, traceStateOf: (serialized: string) => TraceState): void {
  api = otel;
  useOtel(otel, traceStateOf);
  tracer = otel.trace.getTracer('square-webhook-pipeline');
  on = true;
}

export function tracingStarted(): boolean {
  return on;
}

/** What the spans say of an event. */
export interface EventRef {
  id: string;
  type?: string | null;
  merchantId?: string | null;
}

function errorType(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}

function failed(span: Span, err: unknown): void {
  const type = errorType(err);
  span.setAttribute(ATTR_ERROR_TYPE, type);
  span.setStatus({ code: api.SpanStatusCode.ERROR, message: type });
}

/**
 * `work` in a span. `scoped`: the span is made the active one while work runs (its children and the
 * log lines written meanwhile find it): one AsyncLocalStorage run. A leaf (an HTTP client call, a
 * send) is not scoped: nothing runs under it, and the run is spared.
 */
async function inSpan<T>(
  name: string,
  kind: SpanKind,
  parent: Context,
  attributes: Attributes,
  scoped: boolean,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const span = tracer.startSpan(name, { kind, attributes }, parent);
  try {
    return await (scoped ? api.context.with(api.trace.setSpan(parent, span), work, undefined, span) : work(span));
  } catch (err) {
    failed(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/** The ingress's request: a server span, continuing a traceparent (and tracestate) sent with it (a proxy's). */
export function traceWebhookRequest<T>(
  method: string,
  route: string,
  headers: IncomingHttpHeaders,
  work: () => Promise<T>,
  statusOf: (result: T) => number | undefined,
): Promise<T> {
  if (!on) return work();
  const attributes = { [ATTR_HTTP_REQUEST_METHOD]: method, [ATTR_HTTP_ROUTE]: route };
  const parent = headers.traceparent ? api.propagation.extract(api.ROOT_CONTEXT, headers) : api.ROOT_CONTEXT;
  return inSpan(`${method} ${route}`, api.SpanKind.SERVER, parent, attributes, true, async (span) => {
    const result = await work();
    const status = statusOf(result);
    if (status !== undefined) {
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
      if (status >= 500) span.setStatus({ code: api.SpanStatusCode.ERROR });
    }
    return result;
  });
}

/**
 * The capture (messaging `create`): `work` is given the trace context to store with the event (its
 * traceparent and tracestate), so that every later span of the event joins this trace; null while
 * tracing is off. `storedBefore` says, from what work returned, the context already stored with the
 * event when this delivery is a repeat of one captured before: the span then links to it (and
 * says `pipeline.outcome=duplicate`), so that the repeat leads to the event's trace.
 */
export function traceCapture<T>(
  event: EventRef,
  work: (traceContext: string | null) => Promise<T>,
  storedBefore?: (result: T) => string | null | undefined,
): Promise<T> {
  if (!on) return work(null);
  const attributes: Attributes = {
    [ATTR.messagingSystem]: 'bullmq',
    [ATTR.messagingOperationType]: 'create',
    [ATTR.messagingOperationName]: 'create',
    [ATTR.messagingDestination]: EVENTS_QUEUE,
    [ATTR.messagingMessageId]: event.id,
    [ATTR.eventId]: event.id,
  };
  if (event.type) attributes[ATTR.eventType] = event.type;
  if (event.merchantId) attributes[ATTR.merchantId] = event.merchantId;
  return inSpan(
    `create ${EVENTS_QUEUE}`,
    api.SpanKind.PRODUCER,
    api.context.active(),
    attributes,
    true,
    async (span) => {
      const result = await work(storedFormOf(span.spanContext()));
      const first = storedBefore?.(result);
      const linked = first ? spanContextOf(first) : null;
      if (linked) {
        span.addLink({ context: linked });
        span.setAttribute(ATTR.outcome, 'duplicate');
      }
      return result;
    },
  );
}

/** An event the relay publishes, with the trace context stored at its capture. */
export interface RelayedEvent {
  eventId: string;
  traceparent: string | null;
}

/**
 * The relay's publish (messaging `send`), one span per event under the event's capture span:
 * the relay sends up to 500 events at once, and an operator follows one event.
 */
export async function traceRelay<T>(events: readonly RelayedEvent[], work: () => Promise<T>): Promise<T> {
  if (!on) return work();
  const active = api.context.active();
  const spans = events.map((e) =>
    tracer.startSpan(
      `send ${EVENTS_QUEUE}`,
      {
        kind: api.SpanKind.PRODUCER,
        attributes: {
          [ATTR.messagingSystem]: 'bullmq',
          [ATTR.messagingOperationType]: 'send',
          [ATTR.messagingOperationName]: 'send',
          [ATTR.messagingDestination]: EVENTS_QUEUE,
          [ATTR.messagingMessageId]: e.eventId,
          [ATTR.eventId]: e.eventId,
        },
      },
      contextOf(e.traceparent) ?? active,
    ),
  );
  try {
    return await work();
  } catch (err) {
    for (const span of spans) failed(span, err);
    throw err;
  } finally {
    for (const span of spans) span.end();
  }
}

/** What the worker reads of an event before an attempt, when tracing is on (EventTraceRepository). */
export interface StoredEventTrace {
  /** The trace context stored at its capture (`traceparent[ tracestate]`). */
  traceparent: string | null;
  type: string;
  merchantId: string | null;
}

/**
 * One attempt of an event (messaging `process`), under its capture span: `attempt` and `outcome`
 * (what the attempt returned, or `failedAs(err)` when it threw) are attributes.
 */
export async function traceAttempt<T>(
  eventId: string,
  attempt: number,
  lookup: () => Promise<StoredEventTrace | null>,
  work: () => Promise<T>,
  failedAs: (err: unknown) => string,
): Promise<T> {
  if (!on) return work();
  const stored = await lookup().catch(() => null); // no trace must never fail an attempt
  const attributes: Attributes = {
    [ATTR.messagingSystem]: 'bullmq',
    [ATTR.messagingOperationType]: 'process',
    [ATTR.messagingOperationName]: 'process',
    [ATTR.messagingDestination]: EVENTS_QUEUE,
    [ATTR.messagingMessageId]: eventId,
    [ATTR.eventId]: eventId,
    [ATTR.attempt]: attempt,
  };
  if (stored?.type) attributes[ATTR.eventType] = stored.type;
  if (stored?.merchantId) attributes[ATTR.merchantId] = stored.merchantId;
  const parent = contextOf(stored?.traceparent) ?? api.context.active();
  return inSpan(`process ${EVENTS_QUEUE}`, api.SpanKind.CONSUMER, parent, attributes, true, async (span) => {
    try {
      const result = await work();
      span.setAttribute(ATTR.outcome, String(result));
      return result;
    } catch (err) {
      span.setAttribute(ATTR.outcome, failedAs(err));
      throw err;
    }
  });
}

/** A step inside an attempt: the apply transaction, a handler. */
export function traceStep<T>(name: string, attributes: Attributes, work: () => Promise<T>): Promise<T> {
  if (!on) return work();
  return inSpan(name, api.SpanKind.INTERNAL, api.context.active(), attributes, true, work);
}

export const traceTransaction = <T>(eventId: string, work: () => Promise<T>): Promise<T> =>
  on ? traceStep('apply transaction', { [ATTR.eventId]: eventId, 'db.system.name': 'postgresql' }, work) : work();

export const traceHandler = <T>(handler: string, work: () => Promise<T>): Promise<T> =>
  on ? traceStep(`handler ${handler}`, { [ATTR.handler]: handler }, work) : work();

/** An outgoing HTTP request (an HTTP client span). */
export interface HttpRequestRef {
  method: string;
  url: URL;
  /** Record url.full (without query or credentials): not for a destination, whose path may hold a token. */
  recordUrl: boolean;
  /** Give `work` the headers that carry the span's context (default true); Square is sent none. */
  propagate?: boolean;
  /** The trace context stored with the event: the span's parent when there is no active span (forward deliveries). */
  parent?: string | null;
  attributes?: Attributes;
}

const NO_HEADERS: Record<string, string> = Object.freeze({});

/**
 * An HTTP client span around `work`, which is given the headers that carry the span's context
 * (traceparent, tracestate) to the server: empty while tracing is off, or when not `propagate`.
 */
export function traceHttpRequest<T>(
  request: HttpRequestRef,
  work: (propagated: Record<string, string>) => Promise<T>,
  statusOf: (result: T) => number | null,
): Promise<T> {
  if (!on) return work(NO_HEADERS);
  const { url } = request;
  const attributes: Attributes = {
    [ATTR_HTTP_REQUEST_METHOD]: request.method,
    [ATTR_SERVER_ADDRESS]: url.hostname,
    [ATTR_SERVER_PORT]: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    ...request.attributes,
  };
  if (request.recordUrl) attributes[ATTR_URL_FULL] = `${url.protocol}//${url.host}${url.pathname}`;
  const parent = (request.parent === undefined ? null : contextOf(request.parent)) ?? api.context.active();
  return inSpan(request.method, api.SpanKind.CLIENT, parent, attributes, false, async (span) => {
    const result = await work(request.propagate === false ? NO_HEADERS : headersOf(span.spanContext()));
    const status = statusOf(result);
    if (status === null) {
      span.setStatus({ code: api.SpanStatusCode.ERROR });
    } else {
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
      if (status >= 400) {
        span.setAttribute(ATTR_ERROR_TYPE, String(status));
        span.setStatus({ code: api.SpanStatusCode.ERROR });
      }
    }
    return result;
  });
}
