import { fixtureBody } from '@app/testing';
import { routeSquareEvent } from './event-routing.js';

const payloadOf = (name: string) => JSON.parse(fixtureBody(name).toString()) as Record<string, unknown>;

describe('routeSquareEvent', () => {
  it.each([
    ['payment.created', 'payment.created.json', { kind: 'retrieve', objectType: 'payment', id: 'Rk2vW9mZtQ4yHc7NpL0sXa3BfGe' }],
    ['payment.updated', 'payment.updated.json', { kind: 'retrieve', objectType: 'payment', id: 'Rk2vW9mZtQ4yHc7NpL0sXa3BfGe' }],
    ['refund.updated', 'refund.updated.json', { kind: 'retrieve', objectType: 'refund', id: 'Rk2vW9mZtQ4yHc7NpL0sXa3BfGe_Rf8Kq2ZpXw5Nc1VbT7mYd' }],
    ['PAYMENT_UPDATED', 'v1.PAYMENT_UPDATED.json', { kind: 'retrieve', objectType: 'payment', id: 'Rk2vW9mZtQ4yHc7NpL0sXa3BfGe' }],
    ['customer.created', 'customer.created.json', { kind: 'none' }],
    ['webhooks.test_notification', 'webhooks.test_notification.json', { kind: 'none' }],
  ])('%s', (type, file, route) => {
    expect(routeSquareEvent(type, payloadOf(file))).toEqual(route);
  });

  it('refund.created is applied like refund.updated', () => {
    expect(routeSquareEvent('refund.created', { data: { id: 'r1' } })).toEqual({ kind: 'retrieve', objectType: 'refund', id: 'r1' });
  });

  it('flags a payment event without an id as invalid', () => {
    expect(routeSquareEvent('payment.updated', { data: {} })).toMatchObject({ kind: 'invalid' });
    expect(routeSquareEvent('PAYMENT_UPDATED', { entity_id: 42 })).toMatchObject({ kind: 'invalid' });
  });
});
