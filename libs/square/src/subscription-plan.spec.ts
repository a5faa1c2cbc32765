import { consumedEventTypes, describePlan, expandEventTypes, planSubscription } from './subscription-plan.js';

describe('subscription plan', () => {
  it('expands patterns against the catalog, without the test notification', () => {
    expect(expandEventTypes(['refund.*', 'payment.updated'])).toEqual([
      'payment.updated',
      'refund.created',
      'refund.updated',
    ]);
    expect(expandEventTypes(['*'])).not.toContain('webhooks.test_notification');
    expect(expandEventTypes(['nothing.*'])).toEqual([]);
  });

  it('consumes what the mirror, handlers and destinations name, and always the revocation', () => {
    expect(
      consumedEventTypes({
        mirror: [],
        handlers: [{ eventTypes: ['refund.created'] }],
        destinations: [{ eventTypes: ['payment.updated'] }],
      }),
    ).toEqual(['oauth.authorization.revoked', 'payment.updated', 'refund.created']);
  });

  it('creates when missing, updates what differs, and does nothing when it matches', () => {
    const wanted = { eventTypes: ['a', 'b'], apiVersion: '2026-09-16' };
    expect(planSubscription(undefined, wanted)).toMatchObject({ action: 'create', added: ['a', 'b'], removed: [] });
    expect(planSubscription({ ...wanted, eventTypes: ['b', 'a'], enabled: true }, wanted)).toEqual({
      action: 'none',
      added: [],
      removed: [],
    });
    const plan = planSubscription({ eventTypes: ['b', 'c'], apiVersion: '2025-01-23', enabled: false }, wanted);
    expect(describePlan(plan)).toEqual(['+ a', '- c', 'api version: 2025-01-23 → 2026-09-16', 'enabled: false → true']);
  });
});
