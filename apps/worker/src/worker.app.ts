import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { WorkerAppConfig } from '@app/config';
import { Logger } from '@nestjs/common';
import { requestLogger } from '@app/http';
import { createLogger } from '@app/observability';
import { WorkerModule } from './worker.module.js';

/** Builds the worker exactly as main.ts runs it; the e2e suites start it the same way. */
export async function createWorkerApp(config: WorkerAppConfig): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(WorkerModule.forRoot(config), {
    bodyParser: false, // the worker's HTTP port serves health only
    logger: createLogger(config.log),
    abortOnError: false,
  });
  app.disable('x-powered-by');
  // Webhook answers are never cached: computing an ETag for each is wasted work.
  app.set('etag', false);
  app.use(requestLogger(new Logger('HTTP')));
  return app;
}
