import { fixtureBody } from '@app/testing';
import { routeSquareEvent } from './event-routing.js';

const payloadOf = (name: string) => JSON.parse(fixtureBody(name).toString()) as Record<string, unknown>;

describe('routeSquareEvent', () => {
  it.each([
    [
      'payment.created',
      'payment.created.json',
      { kind: 'retrieve', objectType: 'payment', id: 'Rk2vW9mZtQ4yHc7NpL0sXa3BfGe' },
    ],
    [
      'payment.updated',
      'payment.updated.json',
      { kind: 'retrieve', objectType: 'payment', id: 'Rk2vW9mZtQ4yHc7NpL0sXa3BfGe' },
    ],
    [
      'refund.updated',
      'refund.updated.json',
      { kind: 'retrieve', objectType: 'refund', id: 'Rk2vW9mZtQ4yHc7NpL0sXa3BfGe_Rf8Kq2ZpXw5Nc1VbT7mYd' },
    ],
    [
      'PAYMENT_UPDATED',
      'v1.PAYMENT_UPDATED.json',
      { kind: 'retrieve', objectType: 'payment', id: 'Rk2vW9mZtQ4yHc7NpL0sXa3BfGe' },
    ],
    [
      'customer.created',
      'customer.created.json',
      { kind: 'retrieve', objectType: 'customer', id: 'Cst9KdQ2mXv7Lp4NzRb1TyWg' },
    ],
  ])('%s', (type, file, route) => {
    expect(routeSquareEvent(type, payloadOf(file))).toEqual(route);
  });

  it('says why an event that names no object is not mirrored', () => {
    expect(routeSquareEvent('webhooks.test_notification', payloadOf('webhooks.test_notification.json'))).toMatchObject({
      kind: 'none',
      reason: expect.stringContaining('test'),
    });
  });

  it('takes the snapshot of an object without a single-object GET', () => {
    const custom = { key: 'favorite-drink', value: 'flat white', version: 2, updated_at: '2026-10-02T10:00:00Z' };
    expect(
      routeSquareEvent('customer.custom_attribute.updated', {
        data: { id: 'CUST1:favorite-drink', object: { custom_attribute: custom } },
      }),
    ).toEqual({
      kind: 'snapshot',
      objects: [{ objectType: 'customer_custom_attribute', id: 'CUST1:favorite-drink', object: custom }],
    });
  });

  it('marks *.deleted events, and deleted: true in data, as deletions', () => {
    expect(
      routeSquareEvent('customer.deleted', {
        data: { id: 'C1', object: { customer: { id: 'C1', given_name: 'Amelia' } } },
      }),
    ).toEqual({
      kind: 'deleted',
      objects: [{ objectType: 'customer', id: 'C1', object: { id: 'C1', given_name: 'Amelia' } }],
    });
    expect(routeSquareEvent('invoice.deleted', { data: { id: 'inv1', deleted: true } })).toEqual({
      kind: 'deleted',
      objects: [{ objectType: 'invoice', id: 'inv1', object: null }],
    });
    expect(routeSquareEvent('order.updated', { data: { id: 'o1', deleted: true } })).toEqual({
      kind: 'deleted',
      objects: [{ objectType: 'order', id: 'o1', object: null }],
    });
  });

  it('makes one object per inventory count, keyed by item, location and state', () => {
    const count = (item: string) => ({
      catalog_object_id: item,
      location_id: 'L1',
      state: 'IN_STOCK',
      quantity: '3',
      calculated_at: '2026-10-02T10:00:00Z',
    });
    expect(
      routeSquareEvent('inventory.count.updated', { data: { object: { inventory_counts: [count('A'), count('B')] } } }),
    ).toEqual({
      kind: 'snapshot',
      objects: [
        { objectType: 'inventory_count', id: 'A:L1:IN_STOCK', object: count('A'), changedAt: '2026-10-02T10:00:00Z' },
        { objectType: 'inventory_count', id: 'B:L1:IN_STOCK', object: count('B'), changedAt: '2026-10-02T10:00:00Z' },
      ],
    });
  });

  it('asks for the catalog changes of a catalog version', () => {
    expect(
      routeSquareEvent('catalog.version.updated', {
        data: { object: { catalog_version: { updated_at: '2026-10-02T10:00:00Z' } } },
      }),
    ).toEqual({ kind: 'catalog_changes', objectType: 'catalog_object', versionUpdatedAt: '2026-10-02T10:00:00Z' });
  });

  it('stores a type Square added later from its snapshot, rather than dropping it', () => {
    expect(
      routeSquareEvent('espresso.pulled', {
        data: { type: 'espresso', id: 'e1', object: { espresso: { id: 'e1', shots: 2 } } },
      }),
    ).toEqual({
      kind: 'snapshot',
      objects: [{ objectType: 'espresso', id: 'e1', object: { id: 'e1', shots: 2 } }],
    });
    expect(routeSquareEvent('espresso.pulled', { data: {} })).toMatchObject({ kind: 'none' });
  });

  it('flags an event without the id it needs as invalid', () => {
    expect(routeSquareEvent('payment.updated', { data: {} })).toMatchObject({ kind: 'invalid' });
    expect(routeSquareEvent('PAYMENT_UPDATED', { entity_id: 42 })).toMatchObject({ kind: 'invalid' });
    expect(routeSquareEvent('customer.custom_attribute.updated', { data: { id: 'x' } })).toMatchObject({
      kind: 'invalid',
    });
  });
});
