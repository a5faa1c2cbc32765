import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, loadAdminConfig, loadDotEnv } from '@app/config';
import { closeOnSignals } from '@app/http';
import { createAdminApp } from './admin.app.js';

async function bootstrap(): Promise<void> {
  loadDotEnv();
  const config = loadAdminConfig();
  const app = await createAdminApp(config);
  await app.listen(config.admin.port, config.admin.host);
  const logger = new Logger('Admin');
  logger.log(`listening on ${config.admin.host}:${config.admin.port}: Bull Board at /admin/queues, API at /admin/api`);
  closeOnSignals(app, logger);
}

bootstrap().catch((err: unknown) => {
  // One readable message for a bad configuration; never a stack trace or a secret value.
  console.error(err instanceof ConfigError ? err.message : `admin failed to start: ${(err as Error).message}`);
  process.exit(1);
});
