import { Logger, type INestApplication } from '@nestjs/common';
import type { AdminAppConfig } from '@app/config';
import { createHttpApp } from '@app/http';
import { AdminModule } from './admin.module.js';
import { basicAuth } from './auth/basic-auth.js';
import { QUEUES_BOARD_PATH } from './queues-board/queues-board.imports.js';
import { loopbackHostOnly } from './security/loopback-host-only.js';
import { refuseCrossSiteChanges } from './security/same-origin-changes.js';
import { securityHeaders } from './security/security-headers.js';

/** Builds the admin app exactly as main.ts runs it; the e2e suite starts main.js itself. */
export async function createAdminApp(config: AdminAppConfig): Promise<INestApplication> {
  // The admin API reads no request bodies; Bull Board parses its own JSON. Bad credentials and
  // replays are logged by the auth middleware and the API; Bull Board's polling would flood a
  // per-request log.
  // The destinations name the forward queues and the replays' targets; their secrets are not needed here.
  const destinations = config.forwarding.destinations.loadWithoutSecrets();
  const app = await createHttpApp(AdminModule.forRoot(config, destinations), config.log, { requestLog: false });
  // Mounted on Express now, before app.init() registers module middleware and routes, so these
  // run in front of everything, in this order: Bull Board's router (middleware of a global module,
  // which Nest would mount ahead of any middleware of ours), the admin API and unknown paths alike.
  // Headers first, so that refusals carry them too; credentials before anything else is looked at.
  app.use(securityHeaders({ inlineStylesUnder: [QUEUES_BOARD_PATH] }));
  const { admin } = config;
  const logger = new Logger('AdminAuth');
  if (admin.authDisabled) {
    // load-config allows it on a loopback address only.
    logger.warn(
      `ADMIN_AUTH_DISABLED=true: Bull Board and the admin API are open to anyone on this machine (${admin.host})`,
    );
    app.use(loopbackHostOnly());
  } else {
    // load-config refuses to start without both unless auth is disabled.
    app.use(basicAuth({ username: admin.username ?? '', password: admin.password ?? '' }, logger));
  }
  app.use(refuseCrossSiteChanges());
  return app;
}
