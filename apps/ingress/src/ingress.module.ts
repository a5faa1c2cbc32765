import { DynamicModule, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { ConfigModule, IngressAppConfig } from '@app/config';
import { DatabaseModule } from '@app/database';
import { HealthModule } from '@app/health';
import { MetricsModule } from '@app/metrics';
import { CaptureWebhookUseCase } from './square-webhooks/capture-webhook.use-case.js';
import { SquareSignatureGuard } from './square-webhooks/square-signature.guard.js';
import { SquareWebhooksController, WEBHOOK_PATH } from './square-webhooks/square-webhooks.controller.js';
import { WebhookBodyMiddleware } from './square-webhooks/webhook-body.middleware.js';
import { WebhookTelemetryMiddleware } from './square-webhooks/webhook-telemetry.middleware.js';

@Module({})
export class IngressModule implements NestModule {
  static forRoot(config: IngressAppConfig): DynamicModule {
    return {
      module: IngressModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule, HealthModule, MetricsModule],
      controllers: [SquareWebhooksController],
      providers: [CaptureWebhookUseCase, SquareSignatureGuard],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(WebhookTelemetryMiddleware).forRoutes({ path: WEBHOOK_PATH, method: RequestMethod.ALL });
    consumer.apply(WebhookBodyMiddleware).forRoutes({ path: WEBHOOK_PATH, method: RequestMethod.POST });
  }
}
