import type { INestApplication } from '@nestjs/common';
import type { WorkerAppConfig } from '@app/config';
import { createHttpApp } from '@app/http';
import { ForwardDestinations } from './forwarding/forward-destinations.js';
import { FORWARD_HANDLER } from './forwarding/forward-recorder.handler.js';
import { loadHandlerModules } from '@app/handlers';
import { REVOCATION_HANDLER } from './merchants/merchant-revocation.handler.js';
import { MIRROR_HANDLER } from './mirror/square-mirror.handler.js';
import { WorkerModule } from './worker.module.js';

/**
 * Builds the worker exactly as main.ts runs it; its HTTP port serves health and metrics only. The
 * team's handler modules and the forwarding destinations are read first: a bad
 * SQUARE_EVENT_HANDLERS or FORWARD_DESTINATIONS_FILE stops the start with one configuration error,
 * before anything connects.
 */
export async function createWorkerApp(config: WorkerAppConfig): Promise<INestApplication> {
  const destinations = new ForwardDestinations(config.forwarding.destinations);
  const handlers = await loadHandlerModules(config.handlers.modules, [
    MIRROR_HANDLER,
    REVOCATION_HANDLER,
    FORWARD_HANDLER,
  ]);
  return createHttpApp(WorkerModule.forRoot(config, handlers, destinations), config.log, { requestLog: true });
}
