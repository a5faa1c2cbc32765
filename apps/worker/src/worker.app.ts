import type { INestApplication } from '@nestjs/common';
import type { WorkerAppConfig } from '@app/config';
import { createHttpApp } from '@app/http';
import { loadHandlerModules } from './handlers/handler-modules.js';
import { MIRROR_HANDLER } from './mirror/square-mirror.handler.js';
import { WorkerModule } from './worker.module.js';

/**
 * Builds the worker exactly as main.ts runs it; its HTTP port serves health and metrics only. The
 * team's handler modules are imported first: a bad SQUARE_EVENT_HANDLERS stops the start with one
 * configuration error, before anything connects.
 */
export async function createWorkerApp(config: WorkerAppConfig): Promise<INestApplication> {
  const handlers = await loadHandlerModules(config.handlers.modules, [MIRROR_HANDLER]);
  return createHttpApp(WorkerModule.forRoot(config, handlers), config.log, { requestLog: true });
}
