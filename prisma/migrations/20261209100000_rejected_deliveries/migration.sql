-- The last deliveries refused for their signature (at most 50, trimmed on insert), so that
-- `npm run square -- verify --last` can explain a real one. Only the logged ones are kept: the
-- rejection log's rate limit bounds the writes a flood of forgeries can cause.
CREATE TABLE "rejected_deliveries" (
    "id" BIGSERIAL NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "notification_url" TEXT NOT NULL,
    "signature_algorithm" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "raw_body" BYTEA NOT NULL,
    "diagnosis" TEXT NOT NULL,
    "remote_address" TEXT,

    CONSTRAINT "rejected_deliveries_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "rejected_deliveries_received_at_idx" ON "rejected_deliveries"("received_at");
