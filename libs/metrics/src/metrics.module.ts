import { Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller.js';

/** GET /metrics (Prometheus). The worker adds QueueMetricsCollector (it has the queues). */
@Module({
  controllers: [MetricsController],
})
export class MetricsModule {}
