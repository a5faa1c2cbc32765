import type { IncomingHttpHeaders } from 'node:http';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';

// The spans of one event (docs/TRACING.md). Every helper runs `work` untouched while tracing is off:
// one boolean test, no span, no context, so an unconfigured pipeline pays nothing. Attributes name
// the event (id, type, merchant), never its payload, a URL's query or credentials, or an error's
// message (a handler's error may quote the payload): errors are recorded by their class (error.type).

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
let tracer = trace.getTracer('square-webhook-pipeline');

/** Called once the SDK is registered (startTracing). */
export function markTracingStarted(): void {
  on = true;
  tracer = trace.getTracer('square-webhook-pipeline');
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

function eventAttributes(event: EventRef): Attributes {
  const attributes: Attributes = { [ATTR.eventId]: event.id };
  if (event.type) attributes[ATTR.eventType] = event.type;
  if (event.merchantId) attributes[ATTR.merchantId] = event.merchantId;
  return attributes;
}

function messaging(operation: 'create' | 'send' | 'process', eventId: string): Attributes {
  return {
    [ATTR.messagingSystem]: 'bullmq',
    [ATTR.messagingOperationType]: operation,
    [ATTR.messagingOperationName]: operation,
    [ATTR.messagingDestination]: EVENTS_QUEUE,
    [ATTR.messagingMessageId]: eventId,
  };
}

function errorType(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}

function failed(span: Span, err: unknown): void {
  const type = errorType(err);
  span.setAttribute(ATTR_ERROR_TYPE, type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: type });
}

/** `work` in a span (its child spans under it); the span ends when work settles. */
async function inSpan<T>(
  name: string,
  kind: SpanKind,
  parent: Context,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const span = tracer.startSpan(name, { kind, attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (err) {
    failed(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/** The context a stored traceparent stands for (the event's capture span), else the active one. */
function parentOf(traceparent: string | null | undefined): Context {
  if (!traceparent) return context.active();
  const parent = propagation.extract(ROOT_CONTEXT, { traceparent });
  return trace.getSpanContext(parent) ? parent : context.active();
}

/** The W3C traceparent of the active span: what is stored with the event. */
function activeTraceparent(): string | null {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ?? null;
}

/** The ingress's request: a server span, continuing a traceparent sent with it (a proxy's). */
export function traceWebhookRequest<T>(
  method: string,
  route: string,
  headers: IncomingHttpHeaders,
  work: () => Promise<T>,
  statusOf: (result: T) => number | undefined,
): Promise<T> {
  if (!on) return work();
  const attributes = { [ATTR_HTTP_REQUEST_METHOD]: method, [ATTR_HTTP_ROUTE]: route };
  return inSpan(
    `${method} ${route}`,
    SpanKind.SERVER,
    propagation.extract(context.active(), headers),
    attributes,
    async (span) => {
      const result = await work();
      const status = statusOf(result);
      if (status !== undefined) {
        span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      }
      return result;
    },
  );
}

/**
 * The capture (messaging `create`): `work` is given the traceparent to store with the event, so
 * that every later span of the event joins this trace; null while tracing is off.
 */
export function traceCapture<T>(event: EventRef, work: (traceparent: string | null) => Promise<T>): Promise<T> {
  if (!on) return work(null);
  const attributes = { ...messaging('create', event.id), ...eventAttributes(event) };
  return inSpan(`create ${EVENTS_QUEUE}`, SpanKind.PRODUCER, context.active(), attributes, () =>
    work(activeTraceparent()),
  );
}

/** An event the relay publishes, with the traceparent stored at its capture. */
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
  const spans = events.map((e) =>
    tracer.startSpan(
      `send ${EVENTS_QUEUE}`,
      { kind: SpanKind.PRODUCER, attributes: { ...messaging('send', e.eventId), [ATTR.eventId]: e.eventId } },
      parentOf(e.traceparent),
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
  const attributes = {
    ...messaging('process', eventId),
    ...eventAttributes({ id: eventId, type: stored?.type, merchantId: stored?.merchantId }),
    [ATTR.attempt]: attempt,
  };
  return inSpan(
    `process ${EVENTS_QUEUE}`,
    SpanKind.CONSUMER,
    parentOf(stored?.traceparent),
    attributes,
    async (span) => {
      try {
        const result = await work();
        span.setAttribute(ATTR.outcome, String(result));
        return result;
      } catch (err) {
        span.setAttribute(ATTR.outcome, failedAs(err));
        throw err;
      }
    },
  );
}

/** A step inside an attempt: the apply transaction, a handler. */
export function traceStep<T>(name: string, attributes: Attributes, work: () => Promise<T>): Promise<T> {
  if (!on) return work();
  return inSpan(name, SpanKind.INTERNAL, context.active(), attributes, work);
}

export const traceTransaction = <T>(eventId: string, work: () => Promise<T>): Promise<T> =>
  traceStep('apply transaction', { [ATTR.eventId]: eventId, 'db.system.name': 'postgresql' }, work);

export const traceHandler = <T>(handler: string, work: () => Promise<T>): Promise<T> =>
  traceStep(`handler ${handler}`, { [ATTR.handler]: handler }, work);

/** An outgoing HTTP request (an HTTP client span). */
export interface HttpRequestRef {
  method: string;
  url: URL;
  /** Record url.full (without query or credentials): not for a destination, whose path may hold a token. */
  recordUrl: boolean;
  /** The traceparent stored with the event: the span's parent when there is no active span (forward deliveries). */
  parent?: string | null;
  attributes?: Attributes;
}

/**
 * An HTTP client span around `work`, which is given the headers that carry the span's context
 * (traceparent, tracestate) to the server: empty while tracing is off.
 */
export function traceHttpRequest<T>(
  request: HttpRequestRef,
  work: (propagated: Record<string, string>) => Promise<T>,
  statusOf: (result: T) => number | null,
): Promise<T> {
  if (!on) return work({});
  const { url } = request;
  const attributes: Attributes = {
    [ATTR_HTTP_REQUEST_METHOD]: request.method,
    [ATTR_SERVER_ADDRESS]: url.hostname,
    [ATTR_SERVER_PORT]: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    ...request.attributes,
  };
  if (request.recordUrl) attributes[ATTR_URL_FULL] = `${url.protocol}//${url.host}${url.pathname}`;
  const parent = request.parent === undefined ? context.active() : parentOf(request.parent);
  return inSpan(request.method, SpanKind.CLIENT, parent, attributes, async (span) => {
    const propagated: Record<string, string> = {};
    propagation.inject(context.active(), propagated);
    const result = await work(propagated);
    const status = statusOf(result);
    if (status === null) {
      span.setStatus({ code: SpanStatusCode.ERROR });
    } else {
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
      if (status >= 400) {
        span.setAttribute(ATTR_ERROR_TYPE, String(status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
    }
    return result;
  });
}
