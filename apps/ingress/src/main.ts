import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, loadDotEnv, loadIngressConfig } from '@app/config';
import { closeOnSignals } from '@app/http';
import { createIngressApp } from './ingress.app.js';

async function bootstrap(): Promise<void> {
  loadDotEnv();
  const config = loadIngressConfig();
  const app = await createIngressApp(config);
  await app.listen(config.ingress.port);
  const logger = new Logger('Ingress');
  logger.log(`listening on :${config.ingress.port}, POST /webhooks/square`);
  closeOnSignals(app, logger);
}

bootstrap().catch((err: unknown) => {
  // One readable message for a bad configuration; never a stack trace or a secret value.
  console.error(err instanceof ConfigError ? err.message : `ingress failed to start: ${(err as Error).message}`);
  process.exit(1);
});
