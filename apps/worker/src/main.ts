import 'reflect-metadata';
import { loadAppConfig } from '@app/config';
import { runApp } from '@app/http';
import { createWorkerApp } from './worker.app.js';

runApp({
  name: 'worker',
  config: () => loadAppConfig('worker'),
  tracing: (c) => c.tracing,
  create: createWorkerApp,
  listen: (c) => ({ port: c.worker.port }),
  started: (c) => `health on :${c.worker.port}`,
});
