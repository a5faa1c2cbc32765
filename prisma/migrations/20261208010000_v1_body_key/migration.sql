-- Legacy v1 notifications carry no event id and no version; their event id hashes the body with
-- square-initial-delivery-timestamp, which Square does not sign. body_key hashes the signed body
-- alone: while an event of a body is unfinished, a repeat of that body is a duplicate of it (the
-- ingress); afterwards a repeat applies only an object newer than the one that body last applied
-- (legacy_body_applies, in the worker's apply transaction).
ALTER TABLE "webhook_events" ADD COLUMN "body_key" TEXT;

-- The ingress's lookup of a body's unfinished event: v1 events still received, a handful of rows.
CREATE INDEX "webhook_events_body_key_received_idx" ON "webhook_events"("body_key")
  WHERE "body_key" IS NOT NULL AND "status" = 'received';

-- Per v1 body, the version and updated_at of the object it last applied (the mirror's rule:
-- the integer version when both have one, else updated_at), and the event that applied it.
CREATE TABLE "legacy_body_applies" (
    "body_key"          TEXT NOT NULL,
    "version"           BIGINT,
    "square_updated_at" TIMESTAMPTZ(3),
    "event_id"          TEXT NOT NULL,
    "applied_at"        TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "legacy_body_applies_pkey" PRIMARY KEY ("body_key")
);
