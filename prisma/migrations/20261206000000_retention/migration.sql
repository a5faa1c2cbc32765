-- Retention: a finished event's body and payload are purged after a while; its row stays (id,
-- type, merchant, status, timestamps), so that a redelivery is still a duplicate, forever.
ALTER TABLE "webhook_events" ADD COLUMN "purged_at" TIMESTAMPTZ(3);

-- What the purge looks for: bodies still held, oldest first (a partial index: purged rows leave it).
CREATE INDEX "webhook_events_unpurged_idx" ON "webhook_events"("received_at") WHERE "purged_at" IS NULL;

-- Finished deliveries and invalid deliveries expire too.
CREATE INDEX "forward_deliveries_finished_idx" ON "forward_deliveries"("created_at") WHERE "status" <> 'pending';
CREATE INDEX "invalid_webhooks_last_received_at_idx" ON "invalid_webhooks"("last_received_at");
