import { Module } from '@nestjs/common';
import { EventsModule } from '@app/events';
import { ConnectMerchantUseCase } from './connect-merchant.use-case.js';
import { MerchantTokens } from './merchant-tokens.service.js';

/** The token store and connecting a seller; needs DatabaseModule, QueueModule and the merchants config. */
@Module({
  imports: [EventsModule],
  providers: [MerchantTokens, ConnectMerchantUseCase],
  exports: [MerchantTokens, ConnectMerchantUseCase],
})
export class MerchantsModule {}
