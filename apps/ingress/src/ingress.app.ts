import type { INestApplication } from '@nestjs/common';
import type { IngressAppConfig } from '@app/config';
import { createHttpApp } from '@app/http';
import { IngressModule } from './ingress.module.js';

/**
 * Builds the ingress exactly as main.ts runs it; the e2e suites start it the same way. Only the
 * webhook route reads a body, as raw bytes (WebhookBodyMiddleware).
 */
export function createIngressApp(config: IngressAppConfig): Promise<INestApplication> {
  return createHttpApp(IngressModule.forRoot(config), config.log, { requestLog: true });
}
