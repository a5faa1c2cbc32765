import { Module } from '@nestjs/common';
import { ForwardingModule } from '../forwarding/forwarding.module.js';
import { JobRelayService } from './job-relay.service.js';

/** The job outbox → BullMQ: square-events jobs and forward-<destination> jobs, on NOTIFY and on a timer. */
@Module({
  imports: [ForwardingModule],
  providers: [JobRelayService],
})
export class RelayModule {}
