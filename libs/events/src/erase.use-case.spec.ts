import type { ErasureCounts, ErasureRepository, ErasureSubject } from '@app/database';
import type { QueueScrubber, QueueScrubResult, StoredJob } from '@app/queue-runtime';
import { EraseUseCase } from './erase.use-case.js';

const COUNTS: ErasureCounts = {
  eventBodies: 1,
  eventsInFlight: 0,
  mirroredObjects: 0,
  payments: 0,
  refunds: 0,
  deliveries: 0,
  invalidBodies: 0,
  merchantTokens: 0,
  errorTexts: 0,
};

class FakeRepository implements Pick<ErasureRepository, 'erase' | 'purgedEvents' | 'presentDeliveries'> {
  erase = async (_subject: ErasureSubject) => COUNTS;
  purgedEvents = async (ids: readonly string[]) => new Set(ids.filter((id) => id.startsWith('purged')));
  presentDeliveries = async (ids: readonly string[]) => new Set(ids.filter((id) => id === '7'));
}

/** Runs the use case's predicates over `texts` and `jobs` as the real scrubber would. */
class FakeScrubber implements Pick<QueueScrubber, 'scrub'> {
  named: string[] = [];
  orphans: StoredJob[] = [];
  constructor(
    private readonly texts: string[],
    private readonly jobs: StoredJob[],
  ) {}
  async scrub(
    names: (text: string) => boolean,
    orphaned: (jobs: StoredJob[]) => Promise<StoredJob[]>,
  ): Promise<QueueScrubResult> {
    this.named = this.texts.filter(names);
    this.orphans = await orphaned(this.jobs);
    return { jobs: {}, streamEntries: 0, left: [] };
  }
}

const job = (queue: string, data: Record<string, unknown>): StoredJob => ({ queue, jobId: JSON.stringify(data), data });

describe('EraseUseCase', () => {
  const erase = async (subject: ErasureSubject, texts: string[], jobs: StoredJob[] = []) => {
    const scrubber = new FakeScrubber(texts, jobs);
    const result = await new EraseUseCase(
      new FakeRepository() as unknown as ErasureRepository,
      scrubber as unknown as QueueScrubber,
    ).erase(subject);
    return { result, scrubber };
  };

  it('finds an address in any letter case, and an id only as written, taking both literally', async () => {
    const texts = [
      'to ADA.L@Example.com',
      'ada_l@example.com',
      'GET /v2/customers/C.1+ → 404 NOT_FOUND',
      'GET /v2/customers/cx1+ → 404',
    ];
    expect((await erase({ email: 'ada.l@example.com' }, texts)).scrubber.named).toEqual(['to ADA.L@Example.com']);
    expect((await erase({ customerId: 'C.1+' }, texts)).scrubber.named).toEqual([
      'GET /v2/customers/C.1+ → 404 NOT_FOUND',
    ]);
  });

  it('removes the jobs and dead-letter entries of purged events and the jobs of deleted deliveries, nothing else', async () => {
    const jobs = [
      job('square-events', { eventId: 'purged-1' }),
      job('square-events', { eventId: 'live-1' }),
      job('square-events-dead-letter', { eventId: 'purged-2', reason: 'square_404' }),
      job('forward-orders', { deliveryId: '7' }),
      job('forward-orders', { deliveryId: '8' }),
      job('other-queue', { eventId: 'purged-3' }),
    ];
    const { scrubber } = await erase({ customerId: 'C1' }, [], jobs);
    expect(scrubber.orphans.map((j) => j.jobId)).toEqual([jobs[0], jobs[2], jobs[4]].map((j) => j!.jobId));
  });

  it('reports Redis unreachable without undoing what Postgres erased', async () => {
    const scrubber = {
      scrub: async () => {
        throw new Error('Connection is closed.');
      },
    };
    const result = await new EraseUseCase(
      new FakeRepository() as unknown as ErasureRepository,
      scrubber as unknown as QueueScrubber,
    ).erase({ merchantId: 'M1' });
    expect(result).toEqual({ database: COUNTS, redis: { error: 'Connection is closed.' } });
  });
});
