-- AlterTable
ALTER TABLE "webhook_events" ADD COLUMN     "attempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "dead_letter_reason" TEXT,
ADD COLUMN     "dead_lettered_at" TIMESTAMPTZ(3),
ADD COLUMN     "last_error" TEXT,
ADD COLUMN     "outcome" TEXT,
ADD COLUMN     "processed_at" TIMESTAMPTZ(3),
ADD COLUMN     "replay_count" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "swept_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "event_claims" (
    "event_id" TEXT NOT NULL,
    "claimed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "event_claims_pkey" PRIMARY KEY ("event_id")
);

-- CreateTable
CREATE TABLE "payments" (
    "id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "amount" BIGINT,
    "currency" TEXT,
    "total_amount" BIGINT,
    "refunded_amount" BIGINT,
    "location_id" TEXT,
    "order_id" TEXT,
    "customer_id" TEXT,
    "source_type" TEXT,
    "receipt_number" TEXT,
    "version" INTEGER,
    "square_created_at" TIMESTAMPTZ(3),
    "square_updated_at" TIMESTAMPTZ(3),
    "data" JSONB NOT NULL,
    "last_event_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "refunds" (
    "id" TEXT NOT NULL,
    "payment_id" TEXT,
    "status" TEXT NOT NULL,
    "amount" BIGINT,
    "currency" TEXT,
    "location_id" TEXT,
    "order_id" TEXT,
    "reason" TEXT,
    "version" INTEGER,
    "square_created_at" TIMESTAMPTZ(3),
    "square_updated_at" TIMESTAMPTZ(3),
    "data" JSONB NOT NULL,
    "last_event_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "refunds_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "payments_location_id_square_created_at_idx" ON "payments"("location_id", "square_created_at");

-- CreateIndex
CREATE INDEX "payments_order_id_idx" ON "payments"("order_id");

-- CreateIndex
CREATE INDEX "refunds_payment_id_idx" ON "refunds"("payment_id");

-- AddForeignKey
ALTER TABLE "event_claims" ADD CONSTRAINT "event_claims_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "webhook_events"("event_id") ON DELETE CASCADE ON UPDATE CASCADE;
