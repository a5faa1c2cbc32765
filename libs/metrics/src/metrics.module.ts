import { Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller.js';

/** GET /metrics (Prometheus). The worker adds QueueMetricsCollector (libs/queue-runtime). */
@Module({
  controllers: [MetricsController],
})
export class MetricsModule {}
