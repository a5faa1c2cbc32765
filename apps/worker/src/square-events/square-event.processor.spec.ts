import type { DeadLetterInfo, EventAttemptRecord } from '@app/database';
import { eventsProcessed } from '@app/metrics';
import { JOBS } from '@app/queue';
import { SquareApiError } from '@app/square-api';
import { HandlerError } from '../handlers/applied-handler.js';
import { AttemptFailedError, InvalidEventError } from './attempt-errors.js';
import type { ProcessOutcome, Processed } from './process-square-event.use-case.js';
import {
  SquareEventProcessor,
  type AttemptRecording,
  type DeadLettering,
  type EventProcessing,
  type ProcessableJob,
} from './square-event.processor.js';

class FakeUseCase implements EventProcessing {
  result: ProcessOutcome | Error = 'applied';
  calls: string[] = [];
  async execute(eventId: string, _attempt: number): Promise<Processed> {
    this.calls.push(eventId);
    // As the use case does: a failure says what the attempt got to (the event's type, the handlers that ran).
    if (this.result instanceof Error) throw new AttemptFailedError(this.result, 'payment.updated', ['mirror']);
    return { outcome: this.result, eventType: 'payment.updated' };
  }
}

class FakeDeadLetter implements DeadLettering {
  calls: Array<{ eventId: string; info: DeadLetterInfo }> = [];
  async execute(eventId: string, info: DeadLetterInfo): Promise<void> {
    this.calls.push({ eventId, info });
  }
}

class FakeAttempts implements AttemptRecording {
  rows: EventAttemptRecord[] = [];
  /** The retries recorded: [event, attempt, error] (the event's attempts and last error go with them). */
  failures: Array<[string, number, string | null]> = [];
  async record(a: EventAttemptRecord): Promise<void> {
    this.rows.push(a);
  }
  async recordRetry(a: EventAttemptRecord): Promise<void> {
    this.failures.push([a.eventId, a.attempt, a.error]);
    this.rows.push(a);
  }
}

const job = (attemptsMade: number, attempts = 5, name: string = JOBS.processEvent): ProcessableJob => ({
  // An unknown name is what a job of another version could carry; the type names the one we know.
  name: name as ProcessableJob['name'],
  data: { eventId: 'e-1' },
  attemptsMade,
  opts: { attempts },
});

describe('SquareEventProcessor', () => {
  let useCase: FakeUseCase;
  let deadLetter: FakeDeadLetter;
  let attemptRows: FakeAttempts;
  let processor: SquareEventProcessor;

  beforeEach(() => {
    useCase = new FakeUseCase();
    deadLetter = new FakeDeadLetter();
    attemptRows = new FakeAttempts();
    processor = new SquareEventProcessor(useCase, deadLetter, attemptRows);
  });

  it("processes the job's event and returns the outcome, counted under the event's type", async () => {
    const counted = async () =>
      (await eventsProcessed.get()).values.find(
        (v) => v.labels.event_type === 'payment.updated' && v.labels.outcome === 'applied',
      )?.value ?? 0;
    const before = await counted();
    await expect(processor.process(job(0))).resolves.toBe('applied');
    expect(useCase.calls).toEqual(['e-1']);
    expect(await counted()).toBe(before + 1);
  });

  it('rethrows a transient failure for BullMQ to retry, recording the attempt', async () => {
    const err = new SquareApiError('GET → 500', { status: 500, retryable: true });
    useCase.result = err;
    await expect(processor.process(job(1))).rejects.toBe(err);
    expect(deadLetter.calls).toEqual([]);
    expect(attemptRows.failures).toEqual([['e-1', 2, 'GET → 500']]);
  });

  it('dead-letters a permanent failure at once, without retries', async () => {
    useCase.result = new SquareApiError('GET → 404: not found', { status: 404, retryable: false });
    await expect(processor.process(job(0))).rejects.toMatchObject({ name: 'UnrecoverableError' });
    expect(deadLetter.calls).toEqual([
      { eventId: 'e-1', info: { reason: 'square_404', error: 'GET → 404: not found', attempts: 1 } },
    ]);
    expect(attemptRows.failures).toEqual([]); // dead-lettered, not recorded as a failed attempt to retry
  });

  it('dead-letters an event that cannot be interpreted', async () => {
    useCase.result = new InvalidEventError('payment event without a usable data.id');
    await expect(processor.process(job(0))).rejects.toMatchObject({ name: 'UnrecoverableError' });
    expect(deadLetter.calls[0]?.info.reason).toBe('invalid_event');
  });

  it('passes the attempt on, and dead-letters a handler failure marked permanent at once', async () => {
    let attempts: number[] = [];
    useCase.execute = async (_eventId, attempt) => {
      attempts.push(attempt);
      throw new HandlerError('crm-sync', Object.assign(new Error('no such customer'), { permanent: true }));
    };
    await expect(processor.process(job(2))).rejects.toMatchObject({ name: 'UnrecoverableError' });
    expect(attempts).toEqual([3]);
    expect(deadLetter.calls).toEqual([
      {
        eventId: 'e-1',
        info: { reason: 'handler_permanent', error: 'handler "crm-sync" failed: no such customer', attempts: 3 },
      },
    ]);
    attempts = [];
  });

  it('retries a handler failure that is not marked permanent', async () => {
    useCase.result = new HandlerError('crm-sync', new Error('CRM is down'));
    await expect(processor.process(job(0))).rejects.toThrow('handler "crm-sync" failed: CRM is down');
    expect(deadLetter.calls).toEqual([]);
    expect(attemptRows.failures).toEqual([['e-1', 1, 'handler "crm-sync" failed: CRM is down']]);
  });

  it('dead-letters a transient failure on the last attempt', async () => {
    useCase.result = new Error('connection refused');
    await expect(processor.process(job(4, 5))).rejects.toMatchObject({ name: 'UnrecoverableError' });
    expect(deadLetter.calls).toEqual([
      { eventId: 'e-1', info: { reason: 'attempts_exhausted', error: 'connection refused', attempts: 5 } },
    ]);
  });

  it('records each failed attempt once, with its outcome, error and the handlers that ran (the use case records the others)', async () => {
    await processor.process(job(0));
    useCase.result = new Error('connection refused');
    await expect(processor.process(job(1, 3))).rejects.toThrow('connection refused');
    await expect(processor.process(job(2, 3))).rejects.toMatchObject({ name: 'UnrecoverableError' });
    expect(
      attemptRows.rows.map(({ attempt, outcome, error, handlers }) => ({ attempt, outcome, error, handlers })),
    ).toEqual([
      { attempt: 2, outcome: 'retry', error: 'connection refused', handlers: ['mirror'] },
      { attempt: 3, outcome: 'dead_lettered', error: 'connection refused', handlers: ['mirror'] },
    ]);
    expect(attemptRows.rows.every((r) => r.eventId === 'e-1' && r.durationMs >= 0 && r.startedAt instanceof Date)).toBe(
      true,
    );
  });

  it("an attempt it cannot record changes nothing of the job's outcome", async () => {
    const down = async () => {
      throw new Error('database down');
    };
    attemptRows.record = down;
    attemptRows.recordRetry = down;
    const err = new Error('connection refused');
    useCase.result = err;
    await expect(processor.process(job(0, 3))).rejects.toBe(err);
    await expect(processor.process(job(2, 3))).rejects.toMatchObject({
      name: 'UnrecoverableError',
      message: 'connection refused',
    });
  });

  it('refuses unknown job names', async () => {
    await expect(processor.process(job(0, 5, 'something-else'))).rejects.toMatchObject({ name: 'UnrecoverableError' });
  });
});
