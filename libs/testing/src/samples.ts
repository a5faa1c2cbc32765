// The current state, as Square's API would return it, of the objects named by the sample events
// in libs/testing/fixtures/square.

export const SAMPLE_PAYMENTS: Array<Record<string, unknown>> = [
  {
    id: 'Rk2vW9mZtQ4yHc7NpL0sXa3BfGe',
    created_at: '2026-10-02T14:03:10.877Z',
    updated_at: '2026-10-02T14:05:41.930Z',
    amount_money: { amount: 2450, currency: 'USD' },
    total_money: { amount: 2450, currency: 'USD' },
    approved_money: { amount: 2450, currency: 'USD' },
    status: 'COMPLETED',
    source_type: 'CARD',
    card_details: {
      status: 'CAPTURED',
      card: { card_brand: 'VISA', last_4: '1111', exp_month: 11, exp_year: 2028, card_type: 'CREDIT' },
      entry_method: 'KEYED',
    },
    location_id: 'LQ8T3M2V6R0YA',
    order_id: 'Ord7hXq2PcVb9Lm1NzKd4sTwYe',
    receipt_number: 'Rk2v',
    receipt_url: 'https://squareup.com/receipt/preview/Rk2vW9mZtQ4yHc7NpL0sXa3BfGe',
    version_token: 'Wm5rT1uYq8ZcE3nB6vJ0kG2hS7dF4aX9iP',
    version: 3,
  },
];

export const SAMPLE_REFUNDS: Array<Record<string, unknown>> = [
  {
    id: 'Rk2vW9mZtQ4yHc7NpL0sXa3BfGe_Rf8Kq2ZpXw5Nc1VbT7mYd',
    payment_id: 'Rk2vW9mZtQ4yHc7NpL0sXa3BfGe',
    order_id: 'Ord7hXq2PcVb9Lm1NzKd4sTwYe',
    location_id: 'LQ8T3M2V6R0YA',
    amount_money: { amount: 500, currency: 'USD' },
    processing_fee: [
      { amount_money: { amount: -15, currency: 'USD' }, effective_at: '2026-10-03T10:12:05.000Z', type: 'INITIAL' },
    ],
    status: 'COMPLETED',
    reason: 'Customer changed their mind',
    created_at: '2026-10-03T09:10:51.204Z',
    updated_at: '2026-10-03T09:12:05.689Z',
    version: 7,
  },
];
