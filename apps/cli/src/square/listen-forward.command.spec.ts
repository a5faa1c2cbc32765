import type { ListenAttempt } from '@app/database';
import { deliveryLine } from './listen-forward.command.js';

const attempt = (over: Partial<ListenAttempt>): ListenAttempt => ({
  id: '1',
  at: new Date('2026-12-07T19:40:01.122Z'),
  statusCode: 200,
  latencyMs: 12,
  error: null,
  eventId: 'evt1',
  eventType: 'payment.updated',
  attempt: 1,
  deliveryStatus: 'delivered',
  ...over,
});

describe('one line per delivery attempt', () => {
  it('says the type, the id, the status and the latency; a retry says which attempt', () => {
    expect(deliveryLine(attempt({}))).toBe('2026-12-07T19:40:01.122Z payment.updated evt1 200 12 ms');
    expect(deliveryLine(attempt({ attempt: 2, statusCode: 204 }))).toBe(
      '2026-12-07T19:40:01.122Z payment.updated evt1 204 12 ms attempt 2',
    );
  });

  it('says what happens after a failure, and why', () => {
    expect(
      deliveryLine(attempt({ statusCode: 500, error: 'destination listen-1 answered 500', deliveryStatus: 'pending' })),
    ).toBe('2026-12-07T19:40:01.122Z payment.updated evt1 500 12 ms, will retry (destination listen-1 answered 500)');
    expect(
      deliveryLine(
        attempt({
          statusCode: null,
          error: 'cannot reach destination listen-1: ECONNREFUSED',
          deliveryStatus: 'dead_lettered',
          attempt: 9,
        }),
      ),
    ).toBe(
      '2026-12-07T19:40:01.122Z payment.updated evt1 no answer 12 ms attempt 9, dead-lettered (cannot reach destination listen-1: ECONNREFUSED)',
    );
  });
});
