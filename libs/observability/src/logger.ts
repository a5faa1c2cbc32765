import { ConsoleLogger, type ConsoleLoggerOptions, type LogLevel } from '@nestjs/common';
import { LOG_LEVELS, type LogConfig, type LogLevel as ConfiguredLevel } from '@app/config';

// Keys whose values are never printed, whatever object they appear in.
const REDACT = [
  'authorization',
  'password',
  'token',
  'accessToken',
  'refreshToken',
  'signatureKey',
  'signatureKeys',
  'key',
  'secret',
  'encryptionKey',
  'oldEncryptionKeys',
  'applicationSecret',
  'clientSecret',
];

// Nest's own start-up lines (each module, route and "starting"/"started"): a screenful per app
// that says nothing our "listening on" line does not. Printed from LOG_LEVEL=debug up.
const FRAMEWORK_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

/** The ids of the active span, when there is one; undefined. */
export type ActiveSpanIds = () => { traceId: string; spanId: string } | undefined;

// Set by startTracing when tracing is on (libs/tracing): with it off, no OpenTelemetry module is loaded.
let activeSpanIds: ActiveSpanIds | undefined;

/** Makes JSON log lines carry trace_id and span_id while a span is active (startTracing calls it). */
export function correlateLogsWith(ids: ActiveSpanIds): void {
  activeSpanIds = ids;
}

/**
 * Our lines; Nest's boilerplate only when debugging. JSON lines carry trace_id and span_id while a
 * span is active (tracing on: docs/TRACING.md), so that a log line leads to its trace.
 */
class AppLogger extends ConsoleLogger {
  constructor(
    private readonly quietFramework: boolean,
    options: ConsoleLoggerOptions,
  ) {
    super(options);
  }

  override log(message: unknown, ...optionalParams: unknown[]): void {
    const context = optionalParams[optionalParams.length - 1];
    if (this.quietFramework && typeof context === 'string' && FRAMEWORK_CONTEXTS.has(context)) return;
    super.log(message, ...optionalParams);
  }

  protected override getJsonLogObject(
    message: unknown,
    options: Parameters<ConsoleLogger['getJsonLogObject']>[1],
  ): ReturnType<ConsoleLogger['getJsonLogObject']> {
    const object = super.getJsonLogObject(message, options);
    const span = activeSpanIds?.();
    if (span) {
      object.trace_id = span.traceId;
      object.span_id = span.spanId;
    }
    return object;
  }
}

/** JSON lines in production (one object per line), colored text for people. */
export function createLogger(config: LogConfig): ConsoleLogger {
  const upTo = LOG_LEVELS.indexOf(config.level);
  const logLevels: LogLevel[] = ['fatal', ...LOG_LEVELS.slice(0, upTo + 1)];
  return new AppLogger(!levelEnabled(config, 'debug'), {
    json: config.format === 'json',
    colors: config.format === 'pretty',
    logLevels,
    flattenParams: true,
    redact: REDACT,
  });
}

/** Whether lines of `level` are printed with this configuration (LOG_LEVEL is a threshold). */
export function levelEnabled(config: LogConfig, level: ConfiguredLevel): boolean {
  return LOG_LEVELS.indexOf(level) <= LOG_LEVELS.indexOf(config.level);
}
