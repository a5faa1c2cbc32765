import * as api from '@opentelemetry/api';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TraceState, W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { loadConfig, tracingEnabled } from '@app/config';
import {
  markTracingStarted,
  traceAttempt,
  traceCapture,
  traceHandler,
  traceHttpRequest,
  traceTransaction,
} from './spans.js';
import { tracesUrl } from './start-tracing.js';
import { spanContextOf, useOtel } from './trace-context.js';

const tracing = (env: Record<string, string>) => loadConfig(['tracing'], env).tracing;

describe('when tracing is on', () => {
  it('is off unless an exporter or an endpoint is set, and OTEL_SDK_DISABLED or OTEL_TRACES_EXPORTER=none wins', () => {
    expect(tracingEnabled(tracing({}))).toBe(false);
    expect(tracingEnabled(tracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }))).toBe(true);
    expect(tracingEnabled(tracing({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }))).toBe(
      true,
    );
    expect(tracingEnabled(tracing({ OTEL_TRACES_EXPORTER: 'console' }))).toBe(true);
    expect(
      tracingEnabled(tracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' })),
    ).toBe(false);
    expect(
      tracingEnabled(tracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' })),
    ).toBe(false);
  });

  it('refuses what it cannot do, naming the variable', () => {
    expect(() => tracing({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(
      /OTEL_EXPORTER_OTLP_PROTOCOL must be one of http\/json/,
    );
    expect(() => tracing({ OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow(
      /OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1/,
    );
    expect(() => tracing({ OTEL_BSP_MAX_QUEUE_SIZE: '10', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '20' })).toThrow(
      /OTEL_BSP_MAX_EXPORT_BATCH_SIZE must not exceed/,
    );
  });

  it('sends traces to the traces endpoint as is, else to <endpoint>/v1/traces', () => {
    expect(tracesUrl({ endpoint: 'http://collector:4318/', tracesEndpoint: undefined })).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(tracesUrl({ endpoint: 'http://a:4318', tracesEndpoint: 'http://b/traces' })).toBe('http://b/traces');
    expect(tracesUrl({ endpoint: undefined, tracesEndpoint: undefined })).toBeUndefined();
  });
});

describe('the stored trace context', () => {
  it('reads `traceparent[ tracestate]`, refusing what is not a valid traceparent', () => {
    useOtel(api, (serialized: string) => new TraceState(serialized));
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(spanContextOf(traceparent)).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', traceFlags: 1 });
    expect(spanContextOf(`${traceparent} a=1, b=x y`)?.traceState?.serialize()).toBe('a=1,b=x y');
    for (const bad of [null, '', 'nonsense', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`, traceparent.toUpperCase()])
      expect(spanContextOf(bad)).toBeNull();
  });
});

describe('the span helpers', () => {
  it('off: run the work as is, with nothing to store or propagate', async () => {
    await expect(traceCapture({ id: 'e1' }, async (traceparent) => traceparent)).resolves.toBeNull();
    const url = new URL('http://destination.example/hooks?token=secret');
    await expect(
      traceHttpRequest(
        { method: 'POST', url, recordUrl: false },
        async (headers) => headers,
        () => 200,
      ),
    ).resolves.toEqual({});
  });

  describe('on', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    beforeAll(() => {
      context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
      propagation.setGlobalPropagator(new W3CTraceContextPropagator());
      trace.setGlobalTracerProvider(provider);
      markTracingStarted(api, (serialized: string) => new TraceState(serialized));
    });
    afterAll(() => {
      trace.disable();
      context.disable();
      propagation.disable();
    });

    it('an attempt joins the stored capture span; its steps and calls are its children; failures say their class, not their message', async () => {
      const stored = await traceCapture(
        { id: 'e2', type: 'payment.updated', merchantId: 'M1' },
        async (traceparent) => traceparent,
      );
      expect(stored).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      const lookup = async () => ({ traceparent: stored, type: 'payment.updated', merchantId: 'M1' });
      let propagated: Record<string, string> = {};
      const attempt = traceAttempt(
        'e2',
        2,
        lookup,
        async () => {
          await traceHttpRequest(
            { method: 'GET', url: new URL('https://square.example/v2/payments/P1?cursor=x'), recordUrl: true },
            async (h) => (propagated = h),
            () => 200,
          );
          return traceTransaction('e2', () =>
            traceHandler('mine', async () => {
              throw new TypeError('amount 1234 of customer jane@example.com');
            }),
          );
        },
        () => 'retry',
      );
      await expect(attempt).rejects.toThrow(TypeError);

      await provider.forceFlush(); // the processor exports asynchronously
      const spans = exporter.getFinishedSpans();
      const named = (name: string) => spans.find((s) => s.name === name)!;
      const create = named('create square-events');
      const process = named('process square-events');
      expect(stored).toBe(`00-${create.spanContext().traceId}-${create.spanContext().spanId}-01`);
      expect(process.parentSpanContext?.spanId).toBe(create.spanContext().spanId);
      expect(process.attributes).toMatchObject({
        'pipeline.attempt': 2,
        'pipeline.outcome': 'retry',
        'square.event.type': 'payment.updated',
        'square.merchant.id': 'M1',
      });
      expect(named('GET').parentSpanContext?.spanId).toBe(process.spanContext().spanId);
      expect(named('GET').attributes['url.full']).toBe('https://square.example/v2/payments/P1');
      expect(propagated.traceparent).toBe(`00-${create.spanContext().traceId}-${named('GET').spanContext().spanId}-01`);
      expect(named('handler mine').parentSpanContext?.spanId).toBe(named('apply transaction').spanContext().spanId);
      expect(named('handler mine').status).toEqual({ code: 2, message: 'TypeError' });
      expect(JSON.stringify(spans.map((s) => [s.attributes, s.status, s.events]))).not.toMatch(/1234|jane/);
      expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
    });
    it('keeps an inbound tracestate in the stored context, and sends it with the deliveries; Square is sent no context', async () => {
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const inbound = propagation.extract(context.active(), {
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
        tracestate: 'vendor=opaque-1',
      });
      const stored = await context.with(inbound, () =>
        traceCapture({ id: 'e3' }, async (traceContext) => traceContext),
      );
      expect(stored).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01 vendor=opaque-1$`));
      const url = new URL('http://destination.example/hooks');
      const propagated = await traceHttpRequest(
        { method: 'POST', url, recordUrl: false, parent: stored },
        async (headers) => headers,
        () => 204,
      );
      expect(propagated).toEqual({
        traceparent: expect.stringMatching(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`)),
        tracestate: 'vendor=opaque-1',
      });
      const toSquare = await traceHttpRequest(
        { method: 'GET', url, recordUrl: true, propagate: false, parent: stored },
        async (headers) => headers,
        () => 200,
      );
      expect(toSquare).toEqual({});
    });

    it("links a repeat delivery's capture to the context stored by the first; a first capture has no link", async () => {
      exporter.reset();
      const first = await traceCapture({ id: 'e4' }, async (traceContext) => traceContext);
      await traceCapture(
        { id: 'e4' },
        async () => ({ outcome: 'duplicate', stored: first }),
        (r) => r.stored,
      );
      await provider.forceFlush();
      const [original, repeat] = exporter.getFinishedSpans();
      expect(original!.links).toEqual([]);
      expect(repeat!.spanContext().traceId).not.toBe(original!.spanContext().traceId);
      expect(repeat!.links.map((l) => l.context)).toEqual([
        expect.objectContaining({ traceId: original!.spanContext().traceId, spanId: original!.spanContext().spanId }),
      ]);
      expect(repeat!.attributes['pipeline.outcome']).toBe('duplicate');
    });
  });
});
