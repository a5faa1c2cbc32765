import type { RetentionConfig } from '@app/config';
import type { InboxPartitionsRepository, RetentionRepository } from '@app/database';
import type { DeadLetterQueue, RedisConnectionReport } from '@app/queue-runtime';
import { PurgeUseCase } from './purge.use-case.js';

const DAY_MS = 86_400_000;
const NOW = Date.UTC(2026, 11, 8);

class FakePartitions implements Pick<InboxPartitionsRepository, 'dropExpired'> {
  before: Date[] = [];
  dropExpired = async (before: Date) => (this.before.push(before), ['webhook_events_p202608']);
}

function useCase(days: { eventDays: number; deadLetteredDays: number }, partitions: FakePartitions): PurgeUseCase {
  const config = { ...days, deliveryDays: 30, invalidDays: 7, intervalMs: 1000 } as RetentionConfig;
  return new PurgeUseCase(
    {} as RetentionRepository,
    partitions as unknown as InboxPartitionsRepository,
    config,
    {} as DeadLetterQueue,
    { reachable: true } as RedisConnectionReport,
  );
}

describe('PurgeUseCase.dropExpiredPartitions', () => {
  it('drops the months that ended before the longer of the two event retentions', async () => {
    const partitions = new FakePartitions();
    expect(await useCase({ eventDays: 30, deadLetteredDays: 90 }, partitions).dropExpiredPartitions(NOW)).toEqual([
      'webhook_events_p202608',
    ]);
    expect(partitions.before).toEqual([new Date(NOW - 90 * DAY_MS)]);
    await useCase({ eventDays: 120, deadLetteredDays: 90 }, partitions).dropExpiredPartitions(NOW);
    expect(partitions.before[1]).toEqual(new Date(NOW - 120 * DAY_MS));
  });

  it('drops nothing while either keeps bodies forever (0)', async () => {
    const partitions = new FakePartitions();
    expect(await useCase({ eventDays: 0, deadLetteredDays: 90 }, partitions).dropExpiredPartitions(NOW)).toEqual([]);
    expect(await useCase({ eventDays: 30, deadLetteredDays: 0 }, partitions).dropExpiredPartitions(NOW)).toEqual([]);
    expect(partitions.before).toEqual([]);
  });
});
