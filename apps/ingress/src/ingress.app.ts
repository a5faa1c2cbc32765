import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { IngressAppConfig } from '@app/config';
import { Logger } from '@nestjs/common';
import { requestLogger } from '@app/http';
import { createLogger } from '@app/observability';
import { IngressModule } from './ingress.module.js';

/** Builds the ingress exactly as main.ts runs it; the e2e suites start it the same way. */
export async function createIngressApp(config: IngressAppConfig): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(IngressModule.forRoot(config), {
    // No global body parser: only the webhook route reads a body, as raw bytes (WebhookBodyMiddleware).
    bodyParser: false,
    logger: createLogger(config.log),
    abortOnError: false,
  });
  app.disable('x-powered-by');
  // Webhook answers are never cached: computing an ETag for each is wasted work.
  app.set('etag', false);
  app.use(requestLogger(new Logger('HTTP')));
  return app;
}
