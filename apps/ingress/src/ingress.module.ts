import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, IngressAppConfig } from '@app/config';
import { DatabaseModule } from '@app/database';
import { HealthModule } from '@app/health';
import { MetricsModule } from '@app/metrics';
import { CaptureWebhookUseCase } from './square-webhooks/capture-webhook.use-case.js';
import { SquareWebhookRoute } from './square-webhooks/square-webhook.route.js';

@Module({})
export class IngressModule {
  static forRoot(config: IngressAppConfig): DynamicModule {
    return {
      module: IngressModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule, HealthModule, MetricsModule],
      providers: [CaptureWebhookUseCase, SquareWebhookRoute],
    };
  }
}
