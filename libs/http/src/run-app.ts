import { Logger, type INestApplication } from '@nestjs/common';
import { ConfigError, loadDotEnv, type TracingConfig } from '@app/config';
import { startTracing } from '@app/tracing';
import { closeOnSignals } from './close-on-signals.js';

/**
 * What every app's main.ts does: .env, configuration, the app, listen, close on SIGTERM/SIGINT.
 * A bad configuration prints one readable message; no failure prints a stack trace or a secret.
 */
export function runApp<C>(app: {
  name: string;
  config: () => C;
  create: (config: C) => Promise<INestApplication>;
  listen: (config: C) => { port: number; host?: string };
  started: (config: C) => string;
  /** OpenTelemetry's settings (docs/TRACING.md): the SDK starts before the app when they turn it on. */
  tracing?: (config: C) => TracingConfig;
}): void {
  const bootstrap = async () => {
    loadDotEnv();
    const config = app.config();
    const stopTracing = app.tracing
      ? await startTracing(app.tracing(config), `square-webhooks-${app.name}`)
      : undefined;
    const nest = await app.create(config);
    const { port, host } = app.listen(config);
    await (host === undefined ? nest.listen(port) : nest.listen(port, host));
    const logger = new Logger(app.name[0]!.toUpperCase() + app.name.slice(1));
    logger.log(app.started(config));
    closeOnSignals(nest, logger, stopTracing);
  };
  bootstrap().catch((err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : `${app.name} failed to start: ${(err as Error).message}`);
    process.exit(1);
  });
}
