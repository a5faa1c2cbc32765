import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { UnstorablePayloadError, type RecordDeliveryInput, type RecordedDelivery } from '@app/database';
import { DependencyUnavailableException } from '@app/http';
import { ACK_BUDGET } from './ack-budget.js';
import { CaptureWebhookUseCase, type InboxWrites } from './capture-webhook.use-case.js';

class FakeInbox implements InboxWrites {
  deliveries: RecordDeliveryInput[] = [];
  invalid: Array<{ reason: string; headers?: Record<string, string> }> = [];
  outcome: 'new' | 'duplicate' | Error | 'hang' = 'new';
  /** How long recordDelivery takes before its outcome; keepInvalid then hangs when set. */
  slowMs = 0;

  async recordDelivery(input: RecordDeliveryInput): Promise<RecordedDelivery> {
    this.deliveries.push(input);
    if (this.slowMs) await new Promise((r) => setTimeout(r, this.slowMs));
    if (this.outcome === 'hang') return new Promise(() => undefined);
    if (this.outcome instanceof Error) throw this.outcome;
    return { outcome: this.outcome, eventId: input.event.eventId, traceContext: input.traceContext ?? null };
  }

  async keepInvalid(input: { reason: string; headers: Record<string, string> }): Promise<void> {
    if (this.slowMs) return new Promise(() => undefined);
    if (this.outcome instanceof Error && !(this.outcome instanceof UnstorablePayloadError)) throw this.outcome;
    this.invalid.push(input);
  }
}

const body = (o: object) => Buffer.from(JSON.stringify(o));
const event = body({ event_id: 'e-1', type: 'payment.updated', merchant_id: 'M1' });

describe('CaptureWebhookUseCase', () => {
  let inbox: FakeInbox;
  let useCase: CaptureWebhookUseCase;

  // The failures below are provoked: their error lines are expected, not printed.
  let errors: { mockRestore(): void };

  beforeEach(() => {
    inbox = new FakeInbox();
    useCase = new CaptureWebhookUseCase(inbox);
    errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => errors.mockRestore());

  it('stores a new event with its delivery headers', async () => {
    const ack = await useCase.execute(event, { 'square-retry-number': '3', 'square-environment': 'Sandbox' }, 'sha256');
    expect(ack).toEqual({ status: 'accepted', eventId: 'e-1' });
    expect(inbox.deliveries[0]).toMatchObject({
      event: { eventId: 'e-1', type: 'payment.updated', merchantId: 'M1' },
      signatureAlgorithm: 'sha256',
      delivery: { retryNumber: 3, environment: 'Sandbox' },
    });
  });

  it('answers duplicate for an event already stored', async () => {
    inbox.outcome = 'duplicate';
    expect(await useCase.execute(event, {}, 'sha256')).toEqual({ status: 'duplicate', eventId: 'e-1' });
  });

  it("keeps an unreadable body and answers 400, with Square's headers only", async () => {
    const headers = {
      'content-type': 'application/json',
      'x-square-hmacsha256-signature': 'sig',
      'square-retry-number': '1',
      authorization: 'Bearer secret',
      cookie: 'session=secret',
      'x-forwarded-for': '10.0.0.1',
    };
    expect(await useCase.execute(Buffer.from('nope'), headers, 'sha256')).toEqual({
      status: 'invalid',
      reason: 'body is not valid UTF-8 JSON',
    });
    expect(inbox.invalid).toHaveLength(1);
    expect(inbox.invalid[0]!.headers).toEqual({
      'content-type': 'application/json',
      'x-square-hmacsha256-signature': 'sig',
      'square-retry-number': '1',
    });
    expect(inbox.deliveries).toHaveLength(0);
  });

  it('turns JSON that jsonb refuses into a kept invalid body', async () => {
    inbox.outcome = new UnstorablePayloadError('22P05');
    expect(await useCase.execute(event, {}, 'sha256')).toEqual({
      status: 'invalid',
      reason: 'Postgres refused the payload: 22P05',
    });
    expect(inbox.invalid).toEqual([expect.objectContaining({ reason: 'Postgres refused the payload: 22P05' })]);
  });

  it('answers 503 when Postgres fails', async () => {
    inbox.outcome = new Error('connect ECONNREFUSED');
    await expect(useCase.execute(event, {}, 'sha256')).rejects.toBeInstanceOf(DependencyUnavailableException);
    expect(errors).toHaveBeenCalledWith('could not store webhook; answering 503 so Square retries', {
      eventId: 'e-1',
      error: 'connect ECONNREFUSED',
    });
  });

  describe('the database deadline (fake timers)', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    /** Whether `work` has settled after `ms` of (fake) time. */
    const settledAfter = async (work: Promise<unknown>, ms: number) => {
      let settled = false;
      work.then(
        () => (settled = true),
        () => (settled = true),
      );
      await jest.advanceTimersByTimeAsync(ms);
      return settled;
    };

    it('answers 503 at its deadline when Postgres hangs, not before', async () => {
      inbox.outcome = 'hang';
      const answer = useCase.execute(event, {}, 'sha256');
      answer.catch(() => undefined);
      expect(await settledAfter(answer, ACK_BUDGET.databaseMs - 1)).toBe(false);
      expect(await settledAfter(answer, 1)).toBe(true);
      await expect(answer).rejects.toBeInstanceOf(DependencyUnavailableException);
    });

    it('keeps one deadline for the request: a slow refusal then a hanging fallback still answer 503 at the deadline', async () => {
      inbox.outcome = new UnstorablePayloadError('22P05');
      inbox.slowMs = 1200; // the refusal comes late, then keeping the body hangs
      const answer = useCase.execute(event, {}, 'sha256');
      answer.catch(() => undefined);
      expect(await settledAfter(answer, ACK_BUDGET.databaseMs - 1)).toBe(false);
      expect(await settledAfter(answer, 1)).toBe(true);
      await expect(answer).rejects.toBeInstanceOf(DependencyUnavailableException);
      expect(ACK_BUDGET.databaseMs).toBeLessThan(ACK_BUDGET.answerMs);
    });
  });
});
