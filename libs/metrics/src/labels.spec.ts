import { eventTypeLabel, httpStatusLabel } from './labels.js';

describe('bounded label values', () => {
  it("keeps Square's event types and counts any other as other", () => {
    expect(
      ['payment.updated', 'oauth.authorization.revoked', 'webhooks.test_notification'].map(eventTypeLabel),
    ).toEqual(['payment.updated', 'oauth.authorization.revoked', 'webhooks.test_notification']);
    expect(['made.up.type', 'payment.updated2', '__proto__', 'constructor', ''].map(eventTypeLabel)).toEqual([
      'other',
      'other',
      'other',
      'other',
      'other',
    ]);
  });

  it('turns HTTP statuses into classes, and keeps timeout and network', () => {
    expect([200, '204', 302, 401, '404', 429, 500, '503', 'timeout', 'network'].map(httpStatusLabel)).toEqual([
      '2xx',
      '2xx',
      '3xx',
      '4xx',
      '4xx',
      '4xx',
      '5xx',
      '5xx',
      'timeout',
      'network',
    ]);
    expect([0, 600, '20x', 'weird'].map(httpStatusLabel)).toEqual(['other', 'other', 'other', 'other']);
  });
});
