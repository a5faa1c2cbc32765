import type { INestApplication } from '@nestjs/common';
import type { IngressAppConfig } from '@app/config';
import { createHttpApp } from '@app/http';
import { IngressHttpAdapter } from './ingress-http.adapter.js';
import { IngressModule } from './ingress.module.js';
import { SquareWebhookRoute } from './square-webhooks/square-webhook.route.js';

/**
 * Builds the ingress exactly as main.ts runs it; the e2e suites start it the same way. The webhook
 * route is served by SquareWebhookRoute ahead of Express; health, metrics and 404s by Nest.
 */
export async function createIngressApp(config: IngressAppConfig): Promise<INestApplication> {
  const adapter = new IngressHttpAdapter(config.ingress.requestTimeoutMs);
  const app = await createHttpApp(IngressModule.forRoot(config), config.log, { requestLog: true, adapter });
  adapter.serveFirst(app.get(SquareWebhookRoute));
  return app;
}
