import { loadAppConfig } from '@app/config';
import { routeSquareEvent } from '@app/square';
import { SquareMirrorHandler } from './square-mirror.handler.js';

const mirrorWith = (value: string | undefined) => {
  const env = { SQUARE_ACCESS_TOKEN: 't', ...(value === undefined ? {} : { SQUARE_MIRROR_EVENT_TYPES: value }) };
  return new SquareMirrorHandler(loadAppConfig('worker', env).handlers);
};
const order = routeSquareEvent('order.updated', { data: { id: 'o1' } });
const payment = routeSquareEvent('payment.updated', { data: { id: 'p1' } });
const notice = routeSquareEvent('webhooks.test_notification', { data: {} });

describe('SQUARE_MIRROR_EVENT_TYPES', () => {
  it('mirrors every object by default, and never an event that names none', () => {
    const mirror = mirrorWith(undefined);
    expect([
      mirror.wants('order.updated', order),
      mirror.wants('payment.updated', payment),
      mirror.wants('webhooks.test_notification', notice),
    ]).toEqual([true, true, false]);
  });

  it('mirrors only the event types listed, or none at all', () => {
    const payments = mirrorWith('payment.*,refund.*');
    expect([payments.wants('order.updated', order), payments.wants('payment.updated', payment)]).toEqual([false, true]);
    const none = mirrorWith('none');
    expect([none.wants('order.updated', order), none.wants('payment.updated', payment)]).toEqual([false, false]);
  });
});
