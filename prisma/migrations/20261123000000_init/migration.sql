-- CreateEnum
CREATE TYPE "webhook_event_status" AS ENUM ('received', 'processed', 'ignored', 'dead_lettered');

-- CreateTable
CREATE TABLE "webhook_events" (
    "event_id" TEXT NOT NULL,
    "event_type" TEXT NOT NULL,
    "merchant_id" TEXT,
    "signature_algorithm" TEXT NOT NULL,
    "raw_body" BYTEA NOT NULL,
    "payload" JSONB NOT NULL,
    "square_environment" TEXT,
    "square_initial_delivery_at" TIMESTAMPTZ(3),
    "square_retry_number" INTEGER,
    "square_retry_reason" TEXT,
    "delivery_count" INTEGER NOT NULL DEFAULT 1,
    "status" "webhook_event_status" NOT NULL DEFAULT 'received',
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_delivered_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_events_pkey" PRIMARY KEY ("event_id")
);

-- CreateTable
CREATE TABLE "invalid_webhooks" (
    "id" BIGSERIAL NOT NULL,
    "body_sha256" TEXT NOT NULL,
    "raw_body" BYTEA NOT NULL,
    "reason" TEXT NOT NULL,
    "signature_algorithm" TEXT NOT NULL,
    "headers" JSONB NOT NULL,
    "delivery_count" INTEGER NOT NULL DEFAULT 1,
    "first_received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "invalid_webhooks_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "webhook_events_status_received_at_idx" ON "webhook_events"("status", "received_at");

-- CreateIndex
CREATE INDEX "webhook_events_event_type_received_at_idx" ON "webhook_events"("event_type", "received_at");

-- CreateIndex
CREATE UNIQUE INDEX "invalid_webhooks_body_sha256_key" ON "invalid_webhooks"("body_sha256");
