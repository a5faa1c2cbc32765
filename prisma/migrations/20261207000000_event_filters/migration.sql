-- The admin API's event list on a large inbox (measured on a million rows: docs/BENCHMARKS.md,
-- section 7). Newest first with no filter, or after a cursor: (received_at, event_id).
CREATE INDEX "webhook_events_received_at_event_id_idx" ON "webhook_events"("received_at", "event_id");

-- By seller.
CREATE INDEX "webhook_events_merchant_id_received_at_idx" ON "webhook_events"("merchant_id", "received_at");

-- By the object an event is about (its data.id).
CREATE INDEX "webhook_events_object_id_idx" ON "webhook_events"((payload -> 'data' ->> 'id'));

-- By what the payload contains (payload @> '{…}'). jsonb_path_ops: smaller and faster than the
-- default operator class, for @> alone. Purged payloads ('null') leave it. fastupdate off: the lazy
-- pending list, flushed by whichever insert fills it, stalled the ingress (p99 153 ms against 20 ms
-- with it off, at the same throughput: docs/BENCHMARKS.md).
CREATE INDEX "webhook_events_payload_idx" ON "webhook_events" USING GIN ("payload" jsonb_path_ops) WITH (fastupdate = off);
