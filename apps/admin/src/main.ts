import 'reflect-metadata';
import { loadAppConfig } from '@app/config';
import { runApp } from '@app/http';
import { createAdminApp } from './admin.app.js';

runApp({
  name: 'admin',
  config: () => loadAppConfig('admin'),
  create: createAdminApp,
  listen: (c) => ({ port: c.admin.port, host: c.admin.host }),
  started: (c) =>
    `listening on ${c.admin.host}:${c.admin.port}: console at /, Bull Board at /admin/queues, API at /admin/api`,
});
