import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, loadDotEnv, loadIngressConfig } from '@app/config';
import { createIngressApp } from './ingress.app.js';

async function bootstrap(): Promise<void> {
  loadDotEnv();
  const config = loadIngressConfig();
  const app = await createIngressApp(config);
  await app.listen(config.ingress.port);
  new Logger('Ingress').log(`listening on :${config.ingress.port}, POST /webhooks/square`);
}

bootstrap().catch((err: unknown) => {
  // One readable line for a bad configuration; never a stack trace or a secret value.
  console.error(err instanceof ConfigError ? err.message : `ingress failed to start: ${(err as Error).message}`);
  process.exit(1);
});
