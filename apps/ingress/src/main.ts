import 'reflect-metadata';
import { loadAppConfig } from '@app/config';
import { runApp } from '@app/http';
import { createIngressApp } from './ingress.app.js';

runApp({
  name: 'ingress',
  config: () => loadAppConfig('ingress'),
  tracing: (c) => c.tracing,
  create: createIngressApp,
  listen: (c) => ({ port: c.ingress.port }),
  started: (c) => `listening on :${c.ingress.port}, POST /webhooks/square`,
});
