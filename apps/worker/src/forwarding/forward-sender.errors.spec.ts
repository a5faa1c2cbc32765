import { describeSendFailure } from './forward-sender.js';

describe('describeSendFailure', () => {
  const destination = {
    name: 'orders',
    url: 'https://hook-user:p%40ss-word@orders.internal:8443/in?token=qs-secret&x=1',
  };

  it("names the destination and Node's error code (whose message names the host and port)", () => {
    const err = Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:8443'), { code: 'ECONNREFUSED' });
    expect(describeSendFailure(destination, err)).toBe('cannot reach destination orders: ECONNREFUSED');
  });

  it('without a code, keeps the message but no part of the URL', () => {
    const text = describeSendFailure(
      destination,
      new Error(`request to ${destination.url} failed (orders.internal, hook-user:p@ss-word, token=qs-secret&x=1)`),
    );
    expect(text).toMatch(/^cannot reach destination orders: request to \(the destination URL\) failed/);
    for (const part of ['hook-user', 'p@ss-word', 'p%40ss-word', 'qs-secret', 'orders.internal'])
      expect(text).not.toContain(part);
  });
});
