import type { INestApplication } from '@nestjs/common';
import type { WorkerAppConfig } from '@app/config';
import { createHttpApp } from '@app/http';
import { WorkerModule } from './worker.module.js';

/** Builds the worker exactly as main.ts runs it; its HTTP port serves health and metrics only. */
export function createWorkerApp(config: WorkerAppConfig): Promise<INestApplication> {
  return createHttpApp(WorkerModule.forRoot(config), config.log, { requestLog: true });
}
