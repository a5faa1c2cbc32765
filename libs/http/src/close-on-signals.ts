import type { INestApplication, LoggerService } from '@nestjs/common';

/**
 * SIGTERM/SIGINT close the app (shutdown hooks drain work and close Redis and Postgres), then
 * `afterClose` (the traces' last export), then exit 0. Nest's enableShutdownHooks re-raises the
 * signal instead, which exits with 143/130.
 */
export function closeOnSignals(app: INestApplication, logger: LoggerService, afterClose?: () => Promise<void>): void {
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      logger.log(`${signal} received: shutting down`);
      // afterClose: the spans of the last work are exported (tracing), whatever it answers.
      app.close().then(
        () => (afterClose?.() ?? Promise.resolve()).catch(() => undefined).then(() => process.exit(0)),
        (err: unknown) => {
          logger.error(`shutdown failed: ${(err as Error).message}`);
          process.exit(1);
        },
      );
    });
  }
}
