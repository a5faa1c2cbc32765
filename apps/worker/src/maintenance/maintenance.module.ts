import { Module } from '@nestjs/common';
import { PeriodicLock } from '@app/database';
import { ReconcileEventsUseCase, RetentionModule } from '@app/events';
import { HealthModule } from '@app/health';
import { MerchantsModule } from '@app/merchants';
import { ForwardingModule } from '../forwarding/forwarding.module.js';
import { SquareApiModule } from '../square-api.module.js';
import { SquareEventsModule } from '../square-events/square-events.module.js';
import { PartitionsService } from './partitions.service.js';
import { ReconcileService } from './reconcile.service.js';
import { RetentionService } from './retention.service.js';
import { SquareCanaryService } from './square-canary.service.js';
import { SubscriptionCheckService } from './subscription-check.service.js';
import { SweepService } from './sweep.service.js';
import { TokenRefreshService } from './token-refresh.service.js';

/**
 * The periodic passes, each on its own timer (PeriodicTask) and, where only one worker may run it,
 * under an advisory lock (ADVISORY_LOCKS in libs/database/src/locks.ts): the sweep (jobs lost in
 * Redis), the inbox's partitions made ahead, retention, reconcile (Square's Events API), the token refresh, Square's subscription
 * check and canary.
 */
@Module({
  imports: [SquareApiModule, MerchantsModule, RetentionModule, HealthModule, SquareEventsModule, ForwardingModule],
  providers: [
    PeriodicLock,
    SweepService,
    RetentionService,
    PartitionsService,
    ReconcileEventsUseCase,
    ReconcileService,
    TokenRefreshService,
    SubscriptionCheckService,
    SquareCanaryService,
  ],
})
export class MaintenanceModule {}
