// An example of the team's own logic on the apply path: marks an order paid, in a table of its own
// (created by team-handlers/migrations/), when a payment for it completes. Built with the rest (npm run build)
// to dist/handlers/paid-orders.handler.js:
//
//   SQUARE_EVENT_HANDLERS=dist/handlers/paid-orders.handler.js npm start
//
// What it writes through `sql` commits in the event's transaction, with the claim of the event
// id: exactly once, even when Square delivers the event twice or a worker dies half-way. A call to
// another system (an email, a CRM) would be at least once: pass event.id as its idempotency key.
import { defineHandler } from '@app/handlers';

export default defineHandler({
  name: 'paid-orders',
  eventTypes: ['payment.created', 'payment.updated'],
  async handle({ event, object, sql, logger }) {
    // The payment as Square's API returns it now, not the event's snapshot.
    if (object?.status !== 'COMPLETED' || typeof object.order_id !== 'string') return;
    const amount = object.amount_money as { amount?: number; currency?: string } | undefined;
    const { rowCount } = await sql(
      `INSERT INTO paid_orders (order_id, payment_id, amount, currency, paid_at, event_id)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (order_id) DO NOTHING`,
      [
        object.order_id,
        object.id,
        amount?.amount ?? null,
        amount?.currency ?? null,
        object.updated_at ?? null,
        event.id,
      ],
    );
    if (rowCount === 1) logger.log('order paid', { orderId: object.order_id });
  },
});
