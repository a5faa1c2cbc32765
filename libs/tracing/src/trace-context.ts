import type * as OtelApi from '@opentelemetry/api';
import type { Context, SpanContext, TraceState } from '@opentelemetry/api';

// The trace context stored with an event (webhook_events.trace_context, docs/TRACING.md): the W3C
// `traceparent` of its capture span, then, when the span has one, a space and its `tracestate`
// (a traceparent never holds a space; a tracestate may, so only the first one separates them).
// Rows written before tracestate was kept hold the traceparent alone, which reads the same way.
// Written and read here by hand rather than through the propagator: the worker reads the same few
// strings for the relay's span, the attempt's and each delivery's, and this is on every event's path.

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const INVALID_TRACE = '0'.repeat(32);
const INVALID_SPAN = '0'.repeat(16);

/** What a span passes on: the W3C headers of its context (traceparent, and tracestate when it has one). */
export function headersOf(span: SpanContext): Record<string, string> {
  const flags = span.traceFlags.toString(16).padStart(2, '0');
  const headers: Record<string, string> = { traceparent: `00-${span.traceId}-${span.spanId}-${flags}` };
  const state = span.traceState?.serialize();
  if (state) headers.tracestate = state;
  return headers;
}

/** The form stored with the event: `traceparent[ tracestate]`. */
export function storedFormOf(span: SpanContext): string {
  const { traceparent, tracestate } = headersOf(span);
  return tracestate ? `${traceparent} ${tracestate}` : traceparent!;
}

// The API and @opentelemetry/core's TraceState, given by startTracing (both loaded only when tracing is on).
let api: typeof OtelApi | undefined;
let traceStateOf: ((serialized: string) => TraceState) | undefined;

export function useOtel(otel: typeof OtelApi, stateOf: (serialized: string) => TraceState): void {
  api = otel;
  traceStateOf = stateOf;
}

// The last contexts read: an event's stored context is read for its relay, each attempt and each
// delivery, close together in time; parsed once. Bounded, oldest out first.
const PARSED_KEPT = 2_000;
const parsed = new Map<string, SpanContext | null>();

/** The span context a stored form stands for; null when there is none or it is not valid. */
export function spanContextOf(stored: string | null | undefined): SpanContext | null {
  if (!stored) return null;
  const kept = parsed.get(stored);
  if (kept !== undefined) return kept;
  const space = stored.indexOf(' ');
  const match = TRACEPARENT.exec(space < 0 ? stored : stored.slice(0, space));
  let span: SpanContext | null = null;
  if (match && match[1] !== INVALID_TRACE && match[2] !== INVALID_SPAN) {
    const state = space < 0 ? '' : stored.slice(space + 1).trim();
    span = {
      traceId: match[1]!,
      spanId: match[2]!,
      traceFlags: parseInt(match[3]!, 16) & 1,
      isRemote: true,
      ...(state && traceStateOf ? { traceState: traceStateOf(state) } : {}),
    };
  }
  if (parsed.size >= PARSED_KEPT) parsed.delete(parsed.keys().next().value!);
  parsed.set(stored, span);
  return span;
}

/** The context whose span is the stored one (the event's capture span), else null. */
export function contextOf(stored: string | null | undefined): Context | null {
  const span = spanContextOf(stored);
  return span && api ? api.trace.setSpanContext(api.ROOT_CONTEXT, span) : null;
}
