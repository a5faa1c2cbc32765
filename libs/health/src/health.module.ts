import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController, ReadinessDetails } from './health.controller.js';

/** Needs PG_POOL (DatabaseModule); checks Redis too when the app has REDIS_PROBE (libs/queue-runtime's QueueModule). */
@Module({
  // No log line per failed probe (every 10 s under Docker): the answer names what is down, and the
  // apps say once themselves when Redis or Postgres is lost.
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [ReadinessDetails],
  exports: [ReadinessDetails],
})
export class HealthModule {}
