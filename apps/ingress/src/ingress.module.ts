import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, IngressAppConfig } from '@app/config';
import { DatabaseModule } from '@app/database';
import { HealthModule } from '@app/health';
import { MetricsModule } from '@app/metrics';
import { ACK_BUDGET } from './square-webhooks/ack-budget.js';
import { CaptureWebhookUseCase } from './square-webhooks/capture-webhook.use-case.js';
import { SquareWebhookRoute } from './square-webhooks/square-webhook.route.js';

@Module({})
export class IngressModule {
  static forRoot(config: IngressAppConfig): DynamicModule {
    return {
      module: IngressModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot({ connectTimeoutMs: ACK_BUDGET.connectMs }),
        HealthModule,
        MetricsModule,
      ],
      providers: [CaptureWebhookUseCase, SquareWebhookRoute],
    };
  }
}
