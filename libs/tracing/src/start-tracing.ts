import { tracingEnabled, type TracingConfig } from '@app/config';
import { correlateLogsWith } from '@app/observability';
import type * as SdkTrace from '@opentelemetry/sdk-trace';
import { markTracingStarted } from './spans.js';

/** Flushes what is left to export, and stops exporting (at shutdown). */
export type StopTracing = () => Promise<void>;

/**
 * Registers the OpenTelemetry SDK when tracing is configured (tracingEnabled): an async-hooks context
 * manager, the W3C trace-context propagator, a batch processor and an OTLP/HTTP (JSON) exporter.
 * The SDK and the API are imported only then: with tracing off libs/tracing loads no @opentelemetry
 * module (prom-client requires the API for its own use).
 * The exporter still reads its own OTEL_EXPORTER_OTLP_HEADERS, OTEL_EXPORTER_OTLP_TIMEOUT and
 * OTEL_EXPORTER_OTLP_COMPRESSION (and their _TRACES_ forms) and the
 * resource OTEL_RESOURCE_ATTRIBUTES, as the specification says; everything else comes from
 * libs/config (the endpoint, the sampler, the batch settings).
 */
export async function startTracing(config: TracingConfig, defaultServiceName: string): Promise<StopTracing> {
  if (!tracingEnabled(config)) return () => Promise.resolve();
  const [api, { AsyncLocalStorageContextManager }, core, sdk, resources] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/core'),
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/resources'),
  ]);
  const exporter =
    config.exporter === 'console'
      ? new sdk.ConsoleSpanExporter()
      : new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter({ url: tracesUrl(config) });
  const resource = resources
    .defaultResource()
    .merge(resources.resourceFromAttributes({ 'service.name': defaultServiceName }))
    .merge(resources.detectResources({ detectors: [resources.resourceAttributesEnvDetector] }))
    .merge(config.serviceName ? resources.resourceFromAttributes({ 'service.name': config.serviceName }) : null);
  const provider = new sdk.TracerProvider({
    resource,
    sampler: sampler(sdk, config),
    spanProcessors: [
      new sdk.BatchSpanProcessor({
        exporter,
        scheduledDelayMillis: config.scheduleDelayMs,
        maxQueueSize: config.maxQueueSize,
        maxExportBatchSize: config.maxExportBatchSize,
        exportTimeoutMillis: config.exportTimeoutMs,
      }),
    ],
  });
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  // Trace context only: baggage would carry whatever a caller put in it to our destinations.
  api.propagation.setGlobalPropagator(new core.W3CTraceContextPropagator());
  api.trace.setGlobalTracerProvider(provider);
  markTracingStarted(api, (serialized) => new core.TraceState(serialized));
  correlateLogsWith(() => {
    const span = api.trace.getActiveSpan()?.spanContext();
    return span && api.isSpanContextValid(span) ? span : undefined;
  });
  return () => provider.shutdown();
}

/** OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is; OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces; else the exporter's default. */
export function tracesUrl(config: Pick<TracingConfig, 'endpoint' | 'tracesEndpoint'>): string | undefined {
  if (config.tracesEndpoint) return config.tracesEndpoint;
  if (config.endpoint) return `${config.endpoint.replace(/\/+$/, '')}/v1/traces`;
  return undefined;
}

type Sdk = typeof SdkTrace;

function sampler(sdk: Sdk, config: TracingConfig) {
  const ratio = () => new sdk.TraceIdRatioBasedSampler(config.samplerArg);
  switch (config.sampler) {
    case 'always_on':
      return new sdk.AlwaysOnSampler();
    case 'always_off':
      return new sdk.AlwaysOffSampler();
    case 'traceidratio':
      return ratio();
    case 'parentbased_always_off':
      return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new sdk.ParentBasedSampler({ root: ratio() });
    case 'parentbased_always_on':
      return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOnSampler() });
  }
}
