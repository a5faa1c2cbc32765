-- One row per processing attempt of an event, written by the worker after each try (the console's
-- event page shows them): when it started, how long it took, how it ended, the error, the handlers
-- that ran. Attempt numbers repeat after a replay (BullMQ counts from 1 again): rows are told
-- apart by their id and time.
CREATE TABLE "event_attempts" (
  "id" BIGSERIAL PRIMARY KEY,
  "event_id" TEXT NOT NULL REFERENCES "webhook_events"("event_id") ON DELETE CASCADE,
  "attempt" INTEGER NOT NULL,
  "started_at" TIMESTAMPTZ(3) NOT NULL,
  "duration_ms" INTEGER NOT NULL,
  -- applied, unchanged, duplicate, ignored, skipped; retry (failed, will be retried); dead_lettered
  "outcome" TEXT NOT NULL,
  "error" TEXT,
  "handlers" TEXT[] NOT NULL DEFAULT '{}'
);
CREATE INDEX "event_attempts_event_id_idx" ON "event_attempts"("event_id", "id");

-- An attempt's error can name the event's objects (and so a customer): its rows go when the event's
-- body goes, whoever empties it (retention's purge, an erasure, or anything added later), so no
-- purge or erasure statement has to remember this table.
CREATE FUNCTION "event_attempts_purge"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "event_attempts" WHERE "event_id" = NEW."event_id";
  RETURN NEW;
END $$;
CREATE TRIGGER "webhook_events_purge_attempts"
  AFTER UPDATE OF "purged_at" ON "webhook_events"
  FOR EACH ROW WHEN (OLD."purged_at" IS NULL AND NEW."purged_at" IS NOT NULL)
  EXECUTE FUNCTION "event_attempts_purge"();
