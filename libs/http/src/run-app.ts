import { Logger, type INestApplication } from '@nestjs/common';
import { ConfigError, loadDotEnv } from '@app/config';
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
}): void {
  const bootstrap = async () => {
    loadDotEnv();
    const config = app.config();
    const nest = await app.create(config);
    const { port, host } = app.listen(config);
    await (host === undefined ? nest.listen(port) : nest.listen(port, host));
    const logger = new Logger(app.name[0]!.toUpperCase() + app.name.slice(1));
    logger.log(app.started(config));
    closeOnSignals(nest, logger);
  };
  bootstrap().catch((err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : `${app.name} failed to start: ${(err as Error).message}`);
    process.exit(1);
  });
}
