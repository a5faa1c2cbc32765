import { Logger, type INestApplication } from '@nestjs/common';
import { loadDestinations, type AdminAppConfig } from '@app/config';
import { createHttpApp } from '@app/http';
import { AdminModule } from './admin.module.js';
import { basicAuth, refuseCrossSiteChanges } from './auth/basic-auth.js';

/** Builds the admin app exactly as main.ts runs it; the e2e suite starts main.js itself. */
export async function createAdminApp(config: AdminAppConfig): Promise<INestApplication> {
  // The admin API reads no request bodies; Bull Board parses its own JSON. Bad credentials and
  // replays are logged by the auth middleware and the API; Bull Board's polling would flood a
  // per-request log.
  // The destinations name the forward queues and the replays' targets; their secrets are not needed here.
  const destinations = loadDestinations(config.forwarding.destinationsFile, process.env, { secrets: false });
  const app = await createHttpApp(AdminModule.forRoot(config, destinations), config.log, { requestLog: false });
  // Mounted on Express now, before app.init() registers module middleware and routes, so these
  // run in front of everything: Bull Board's router (middleware of a global module, which Nest
  // would mount ahead of any middleware of ours), the admin API and unknown paths alike.
  app.use(refuseCrossSiteChanges());
  const { admin } = config;
  const logger = new Logger('AdminAuth');
  if (admin.authDisabled) {
    logger.warn('ADMIN_AUTH_DISABLED=true: Bull Board and the admin API are open to anyone who can reach this port');
  } else {
    // load-config refuses to start without both unless auth is disabled.
    app.use(basicAuth({ username: admin.username ?? '', password: admin.password ?? '' }, logger));
  }
  return app;
}
