import { Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller.js';
import { QueueMetricsCollector } from './queue-metrics.collector.js';

/** GET /metrics (Prometheus). Needs the queues of QueueModule.forRoot() in the app. */
@Module({
  controllers: [MetricsController],
  providers: [QueueMetricsCollector],
})
export class MetricsModule {}
