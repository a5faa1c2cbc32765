import { Injectable, Logger } from '@nestjs/common';
import { MerchantTokensRepository } from '@app/database';
import { ReplayEventsUseCase } from '@app/events';
import { MERCHANT_REASONS, MerchantTokens, type NewTokens } from './merchant-tokens.service.js';

/**
 * A seller's tokens arrive (`merchants add`, the OAuth callback): store them, then replay the
 * seller's events that were dead-lettered waiting for them, so nothing more needs doing.
 */
@Injectable()
export class ConnectMerchantUseCase {
  private readonly logger = new Logger(ConnectMerchantUseCase.name);

  constructor(
    private readonly tokens: MerchantTokens,
    private readonly repository: MerchantTokensRepository,
    private readonly replays: ReplayEventsUseCase,
  ) {}

  async execute(merchantId: string, tokens: NewTokens): Promise<{ replayed: number }> {
    await this.tokens.add(merchantId, tokens);
    const waiting = await this.repository.waitingEvents(merchantId, Object.values(MERCHANT_REASONS));
    const result = waiting.length > 0 ? await this.replays.replay(waiting) : { replayed: [] };
    this.logger.log('merchant connected', { merchantId, replayedEvents: result.replayed.length });
    return { replayed: result.replayed.length };
  }
}
