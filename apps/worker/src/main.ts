import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, loadDotEnv, loadWorkerConfig } from '@app/config';
import { closeOnSignals } from '@app/http';
import { createWorkerApp } from './worker.app.js';

async function bootstrap(): Promise<void> {
  loadDotEnv();
  const config = loadWorkerConfig();
  const app = await createWorkerApp(config);
  await app.listen(config.worker.port);
  const logger = new Logger('Worker');
  logger.log(`health on :${config.worker.port}`);
  closeOnSignals(app, logger);
}

bootstrap().catch((err: unknown) => {
  // One readable message for a bad configuration; never a stack trace or a secret value.
  console.error(err instanceof ConfigError ? err.message : `worker failed to start: ${(err as Error).message}`);
  process.exit(1);
});
