import { Logger, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import type { LogConfig } from '@app/config';
import { createLogger } from '@app/observability';
import { HttpErrorFilter } from './http-error.filter.js';
import { RequestLog } from './request-logger.js';

/**
 * A Nest app on Express as all of ours run: our logger, errors as small JSON (HttpErrorFilter), no
 * global body parser (a route that
 * reads a body says how; the ingress must see the raw bytes), no ETags (no answer of ours is
 * worth caching, and computing one per answer is wasted work), no X-Powered-By, and optionally one
 * log line per request.
 */
export async function createHttpApp(
  module: DynamicModule,
  log: LogConfig,
  opts: { requestLog: boolean; adapter?: ExpressAdapter },
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, opts.adapter ?? new ExpressAdapter(), {
    bodyParser: false,
    logger: createLogger(log),
    abortOnError: false,
  });
  app.useGlobalFilters(new HttpErrorFilter());
  app.disable('x-powered-by');
  app.set('etag', false);
  if (opts.requestLog) app.use(new RequestLog(new Logger('HTTP'), log).middleware());
  return app;
}
