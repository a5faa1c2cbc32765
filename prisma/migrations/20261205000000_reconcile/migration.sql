-- CreateEnum
CREATE TYPE "event_source" AS ENUM ('webhook', 'events_api');

-- Where an inbox event came from: a signed webhook delivery, or Square's Events API (recovered by
-- the reconciler: Square never delivered it). Instant on Postgres 11+ (a constant default).
ALTER TABLE "webhook_events" ADD COLUMN "source" "event_source" NOT NULL DEFAULT 'webhook';

-- The webhook gap: recovered events, newest first, for the admin API (few rows: a partial index).
CREATE INDEX "webhook_events_recovered_idx" ON "webhook_events"("received_at") WHERE "source" = 'events_api';

-- How far the reconciler has searched Square's event log: everything created before checked_until
-- is in the inbox.
CREATE TABLE "reconcile_checkpoints" (
    "name" TEXT NOT NULL,
    "checked_until" TIMESTAMPTZ(3) NOT NULL,
    "last_run_at" TIMESTAMPTZ(3),
    "last_found" INTEGER NOT NULL DEFAULT 0,
    "last_recovered" INTEGER NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reconcile_checkpoints_pkey" PRIMARY KEY ("name")
);
