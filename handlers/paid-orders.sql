-- The table of the example handler (handlers/paid-orders.handler.ts): one row per order, written
-- when a payment for it completes. Apply it once: psql "$DATABASE_URL" -f handlers/paid-orders.sql
CREATE TABLE IF NOT EXISTS paid_orders (
  order_id    TEXT PRIMARY KEY,
  payment_id  TEXT NOT NULL,
  amount      BIGINT,
  currency    TEXT,
  paid_at     TIMESTAMPTZ,
  event_id    TEXT NOT NULL,
  recorded_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
