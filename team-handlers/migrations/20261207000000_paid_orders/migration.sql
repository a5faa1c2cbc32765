-- The table of the example handlers (handlers/paid-orders.handler.ts, README's mark-paid.mjs): one
-- row per order, written when a payment for it completes. Applied by
-- HANDLER_MIGRATIONS_DIR=handlers/migrations npm run db:migrate (once: it is tracked).
CREATE TABLE paid_orders (
  order_id    TEXT PRIMARY KEY,
  payment_id  TEXT NOT NULL,
  amount      BIGINT,
  currency    TEXT,
  paid_at     TIMESTAMPTZ,
  event_id    TEXT NOT NULL,
  recorded_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
