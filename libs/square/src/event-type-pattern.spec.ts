import { eventTypePatternProblem, matchesEventType } from './event-type-pattern.js';

describe('event type patterns', () => {
  it('match exact types, prefixes with a star, and everything with *', () => {
    expect(matchesEventType(['payment.updated'], 'payment.updated')).toBe(true);
    expect(matchesEventType(['payment.updated'], 'payment.created')).toBe(false);
    expect(matchesEventType(['payment.*'], 'payment.created')).toBe(true);
    expect(matchesEventType(['payment.*'], 'payments.created')).toBe(false); // a prefix ends at a dot
    expect(matchesEventType(['order.*'], 'order.fulfillment.updated')).toBe(true);
    expect(matchesEventType(['*'], 'webhooks.test_notification')).toBe(true);
    expect(matchesEventType([], 'payment.updated')).toBe(false);
  });

  it('say what is wrong with a malformed pattern', () => {
    for (const ok of ['payment.updated', 'payment.*', '*', 'PAYMENT_UPDATED', 'order.fulfillment.*'])
      expect(eventTypePatternProblem(ok)).toBeUndefined();
    for (const bad of ['', 'payment*', '*.updated', 'payment.', 42, 'pay ment'])
      expect(eventTypePatternProblem(bad)).toContain('is not an event type');
  });
});
