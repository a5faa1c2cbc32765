-- CreateEnum
CREATE TYPE "forward_delivery_status" AS ENUM ('pending', 'delivered', 'dead_lettered');

-- One delivery per applied event and matching destination, recorded in the event's own apply
-- transaction (a transactional outbox): an applied event always has its deliveries, a rolled-back
-- one has none. The body is fixed then; webhook_id is the same on every attempt.
CREATE TABLE "forward_deliveries" (
    "id" BIGSERIAL NOT NULL,
    "destination" TEXT NOT NULL,
    "event_id" TEXT NOT NULL,
    "event_type" TEXT NOT NULL,
    "webhook_id" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "status" "forward_delivery_status" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_status" INTEGER,
    "last_error" TEXT,
    "next_attempt_at" TIMESTAMPTZ(3),
    "first_attempt_at" TIMESTAMPTZ(3),
    "delivered_at" TIMESTAMPTZ(3),
    "dead_lettered_at" TIMESTAMPTZ(3),
    "replay_count" INTEGER NOT NULL DEFAULT 0,
    "swept_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "forward_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "forward_deliveries_destination_event_id_key" ON "forward_deliveries"("destination", "event_id");

-- CreateIndex
CREATE INDEX "forward_deliveries_destination_status_created_at_idx" ON "forward_deliveries"("destination", "status", "created_at");

-- CreateIndex
CREATE INDEX "forward_deliveries_event_id_idx" ON "forward_deliveries"("event_id");
