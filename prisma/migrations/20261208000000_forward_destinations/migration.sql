-- CreateEnum
CREATE TYPE "forward_destination_state" AS ENUM ('healthy', 'failing', 'paused');

-- The health of each forwarding destination, decided once per destination and shared by every
-- worker (a circuit breaker): healthy (closed), failing (open: one probe at a time, at
-- retrying_at), paused (by an operator, or automatically after FORWARD_AUTO_PAUSE_AFTER of
-- failing). A row per destination that was ever configured; the admin app and the CLI read it.
CREATE TABLE "forward_destinations" (
    "name" TEXT NOT NULL,
    "state" "forward_destination_state" NOT NULL DEFAULT 'healthy',
    "since" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "consecutive_failures" INTEGER NOT NULL DEFAULT 0,
    "retrying_at" TIMESTAMPTZ(3),
    "probe_until" TIMESTAMPTZ(3),
    "paused_by" TEXT,
    "pause_reason" TEXT,
    "last_error" TEXT,
    "released_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "forward_destinations_pkey" PRIMARY KEY ("name")
);

-- Every attempt of every delivery (the destinations' success rate and latency, a delivery's
-- history); deleted with its delivery (retention, erasure).
CREATE TABLE "forward_attempts" (
    "id" BIGSERIAL NOT NULL,
    "delivery_id" BIGINT NOT NULL,
    "destination" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status_code" INTEGER,
    "latency_ms" INTEGER NOT NULL,
    "error" TEXT,

    CONSTRAINT "forward_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "forward_attempts_delivery_id_idx" ON "forward_attempts"("delivery_id");

-- CreateIndex
CREATE INDEX "forward_attempts_destination_at_idx" ON "forward_attempts"("destination", "at");

-- AddForeignKey
ALTER TABLE "forward_attempts" ADD CONSTRAINT "forward_attempts_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "forward_deliveries"("id") ON DELETE CASCADE ON UPDATE CASCADE;
