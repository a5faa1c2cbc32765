-- An inbox that lasts years (docs/SCALING.md, Partitions): webhook_events becomes partitioned by
-- month of received_at, so that retention drops whole months instead of deleting rows, and every
-- index stays the size of a month. A unique index of a partitioned table must contain the
-- partition key, so the event id's uniqueness FOREVER moves to a narrow table of its own.

-- Every event id ever captured, with when (a few dozen bytes a row; retention never deletes it):
-- a redelivery years later, after its month was dropped, is still a duplicate.
CREATE TABLE "webhook_event_ids" (
    "event_id" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_event_ids_pkey" PRIMARY KEY ("event_id")
);

-- Whoever inserts an event (the ingress, the reconciler, an import, a test) goes through its id
-- first: a new id is recorded and the row goes in; a known one skips the row (as ON CONFLICT DO
-- NOTHING would). Concurrent inserts of one id serialize on the primary key above.
CREATE FUNCTION "webhook_events_claim_id"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "webhook_event_ids" ("event_id", "received_at") VALUES (NEW."event_id", NEW."received_at")
  ON CONFLICT ("event_id") DO NOTHING;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  RETURN NEW;
END $$;

-- Captures wait from here to the end (reads go on): no row may slip in between the copy of the ids
-- below and the rename (4.6 s on a million rows: docs/SCALING.md).
LOCK TABLE "webhook_events" IN SHARE ROW EXCLUSIVE MODE;

-- The rows already there keep their ids (one pass over the primary key).
INSERT INTO "webhook_event_ids" ("event_id", "received_at") SELECT "event_id", "received_at" FROM "webhook_events";

-- What referenced an inbox row now references its id, which outlives the row.
ALTER TABLE "event_claims" DROP CONSTRAINT "event_claims_event_id_fkey";
ALTER TABLE "event_claims" ADD CONSTRAINT "event_claims_event_id_fkey" FOREIGN KEY ("event_id")
  REFERENCES "webhook_event_ids"("event_id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "event_attempts" DROP CONSTRAINT "event_attempts_event_id_fkey";
ALTER TABLE "event_attempts" ADD CONSTRAINT "event_attempts_event_id_fkey" FOREIGN KEY ("event_id")
  REFERENCES "webhook_event_ids"("event_id") ON DELETE CASCADE;

-- The events someone still has to act on: 'received' (the worker, the sweep, the inbox-age
-- metric) and 'dead_lettered' (replays, the console). Kept by triggers on webhook_events (below),
-- so that no statement has to remember it; a few rows, where the inbox has millions.
CREATE TABLE "webhook_events_open" (
    "event_id" TEXT NOT NULL,
    "status" "webhook_event_status" NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "webhook_events_open_pkey" PRIMARY KEY ("event_id")
);
CREATE INDEX "webhook_events_open_status_received_at_idx" ON "webhook_events_open"("status", "received_at", "event_id");
INSERT INTO "webhook_events_open" ("event_id", "status", "received_at")
  SELECT "event_id", "status", "received_at" FROM "webhook_events" WHERE "status" IN ('received', 'dead_lettered');
DROP INDEX "webhook_events_status_received_at_idx";

CREATE FUNCTION "webhook_events_track_open"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' AND OLD."status" IN ('received', 'dead_lettered')
     AND (TG_OP = 'DELETE' OR NEW."status" NOT IN ('received', 'dead_lettered')) THEN
    DELETE FROM "webhook_events_open" WHERE "event_id" = OLD."event_id";
  END IF;
  IF TG_OP <> 'DELETE' AND NEW."status" IN ('received', 'dead_lettered') THEN
    INSERT INTO "webhook_events_open" ("event_id", "status", "received_at") VALUES (NEW."event_id", NEW."status", NEW."received_at")
    ON CONFLICT ("event_id") DO UPDATE SET "status" = EXCLUDED."status", "received_at" = EXCLUDED."received_at";
  END IF;
  RETURN NULL;
END $$;

-- The existing table is not copied: it becomes the first partition as it is (its rows, its
-- indexes), covering everything before next month. Rows never move; retention drops it whole
-- once its newest month expires (docs/SCALING.md says why this beats copying in batches).
ALTER TABLE "webhook_events" RENAME TO "webhook_events_legacy";
DROP TRIGGER "webhook_events_purge_attempts" ON "webhook_events_legacy";
ALTER TABLE "webhook_events_legacy" DROP CONSTRAINT "webhook_events_pkey";
ALTER INDEX "webhook_events_event_type_received_at_idx" RENAME TO "webhook_events_legacy_event_type_received_at_idx";
ALTER INDEX "webhook_events_recovered_idx" RENAME TO "webhook_events_legacy_recovered_idx";
ALTER INDEX "webhook_events_unpurged_idx" RENAME TO "webhook_events_legacy_unpurged_idx";
ALTER INDEX "webhook_events_received_at_event_id_idx" RENAME TO "webhook_events_legacy_received_at_event_id_idx";
ALTER INDEX "webhook_events_merchant_id_received_at_idx" RENAME TO "webhook_events_legacy_merchant_id_received_at_idx";
ALTER INDEX "webhook_events_object_id_idx" RENAME TO "webhook_events_legacy_object_id_idx";
ALTER INDEX "webhook_events_payload_idx" RENAME TO "webhook_events_legacy_payload_idx";
-- No index of the inbox names status (issue 24): the worker's status update then changes no
-- indexed column and stays on its page (a HOT update: no new entry in any of the nine indexes, the
-- payload's GIN included). What looked rows up by status reads webhook_events_open instead.
DROP INDEX "webhook_events_body_key_received_idx";
-- Room on each page for the worker's status update to stay on the page (HOT); new pages only. 70:
-- events captured together share a page and finish together (a worker runs 20 at once); at 90 a
-- page had room for one new version and 27 % of a run's updates were HOT, at 70 67 % (docs/SCALING.md).
-- The price, 30 % more heap for the months being written, is paid until retention drops them.
ALTER TABLE "webhook_events_legacy" SET (fillfactor = 70);

CREATE TABLE "webhook_events" (LIKE "webhook_events_legacy" INCLUDING DEFAULTS) PARTITION BY RANGE ("received_at");

-- Month by month from `first` (a month's first instant, UTC), `months` of them; those that exist are
-- left alone. The worker calls it every day for the months ahead (PARTITIONS_AHEAD_MONTHS).
CREATE FUNCTION "webhook_events_make_partitions"("first" TIMESTAMPTZ, "months" INTEGER) RETURNS INTEGER
LANGUAGE plpgsql AS $$
DECLARE
  made INTEGER := 0;
  lo TIMESTAMPTZ;
  hi TIMESTAMPTZ;
  name TEXT;
BEGIN
  FOR i IN 0 .. "months" - 1 LOOP
    lo := (date_trunc('month', "first" AT TIME ZONE 'UTC') + make_interval(months => i)) AT TIME ZONE 'UTC';
    hi := (date_trunc('month', "first" AT TIME ZONE 'UTC') + make_interval(months => i + 1)) AT TIME ZONE 'UTC';
    name := 'webhook_events_p' || to_char(lo AT TIME ZONE 'UTC', 'YYYYMM');
    CONTINUE WHEN to_regclass(format('%I', name)) IS NOT NULL;
    EXECUTE format('CREATE TABLE %I PARTITION OF "webhook_events" FOR VALUES FROM (%L) TO (%L) WITH (fillfactor = 70)',
      name, lo, hi);
    made := made + 1;
  END LOOP;
  RETURN made;
END $$;

DO $$
DECLARE
  boundary TIMESTAMPTZ := (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC';
BEGIN
  IF EXISTS (SELECT 1 FROM "webhook_events_legacy") THEN
    -- A CHECK that proves the range lets ATTACH skip its scan under the strong lock; the VALIDATE
    -- scan itself lets writes through (SHARE UPDATE EXCLUSIVE).
    EXECUTE format('ALTER TABLE "webhook_events_legacy" ADD CONSTRAINT "webhook_events_legacy_range" CHECK ("received_at" IS NOT NULL AND "received_at" < %L) NOT VALID', boundary);
    ALTER TABLE "webhook_events_legacy" VALIDATE CONSTRAINT "webhook_events_legacy_range";
    -- The new primary key's index, built on the old rows (the step that takes time: docs/SCALING.md).
    CREATE UNIQUE INDEX "webhook_events_legacy_pkey" ON "webhook_events_legacy"("event_id", "received_at");
    -- A constraint's index is adopted only from a constraint.
    ALTER TABLE "webhook_events_legacy" ADD CONSTRAINT "webhook_events_legacy_pkey" PRIMARY KEY USING INDEX "webhook_events_legacy_pkey";
    EXECUTE format('ALTER TABLE "webhook_events" ATTACH PARTITION "webhook_events_legacy" FOR VALUES FROM (MINVALUE) TO (%L)', boundary);
    PERFORM "webhook_events_make_partitions"(boundary, 3);
  ELSE
    DROP TABLE "webhook_events_legacy";
    PERFORM "webhook_events_make_partitions"(now(), 4);
  END IF;
END $$;

-- What no month holds (rows stored with an old received_at by an import or a test, or a capture
-- after the worker failed to make the months ahead for months): kept here rather than refused.
CREATE TABLE "webhook_events_default" PARTITION OF "webhook_events" DEFAULT WITH (fillfactor = 70);

-- The indexes, created on the parent: each partition gets its own, the legacy partition's
-- existing ones are adopted as they are (same definition), not rebuilt.
ALTER TABLE "webhook_events" ADD CONSTRAINT "webhook_events_pkey" PRIMARY KEY ("event_id", "received_at");
CREATE INDEX "webhook_events_event_type_received_at_idx" ON "webhook_events"("event_type", "received_at");
CREATE INDEX "webhook_events_recovered_idx" ON "webhook_events"("received_at") WHERE "source" = 'events_api';
CREATE INDEX "webhook_events_unpurged_idx" ON "webhook_events"("received_at") WHERE "purged_at" IS NULL;
CREATE INDEX "webhook_events_received_at_event_id_idx" ON "webhook_events"("received_at", "event_id");
CREATE INDEX "webhook_events_merchant_id_received_at_idx" ON "webhook_events"("merchant_id", "received_at");
CREATE INDEX "webhook_events_object_id_idx" ON "webhook_events"((payload -> 'data' ->> 'id'));
CREATE INDEX "webhook_events_payload_idx" ON "webhook_events" USING GIN ("payload" jsonb_path_ops) WITH (fastupdate = off);
-- v1 bodies only (a handful of rows); the ingress filters on status from the row.
CREATE INDEX "webhook_events_body_key_idx" ON "webhook_events"("body_key") WHERE "body_key" IS NOT NULL;

CREATE TRIGGER "webhook_events_claim_id" BEFORE INSERT ON "webhook_events"
  FOR EACH ROW EXECUTE FUNCTION "webhook_events_claim_id"();
CREATE TRIGGER "webhook_events_open_insert" AFTER INSERT ON "webhook_events"
  FOR EACH ROW WHEN (NEW."status" IN ('received', 'dead_lettered')) EXECUTE FUNCTION "webhook_events_track_open"();
CREATE TRIGGER "webhook_events_open_update" AFTER UPDATE OF "status" ON "webhook_events"
  FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status") EXECUTE FUNCTION "webhook_events_track_open"();
CREATE TRIGGER "webhook_events_open_delete" AFTER DELETE ON "webhook_events"
  FOR EACH ROW WHEN (OLD."status" IN ('received', 'dead_lettered')) EXECUTE FUNCTION "webhook_events_track_open"();

-- received_at is the partition key and the id's record: it never changes. (A change that moved a
-- row to another month would re-insert it there, and the id trigger above would skip it as a
-- duplicate: the row would be lost.)
CREATE FUNCTION "webhook_events_keep_received_at"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'webhook_events.received_at cannot change (event %)', OLD."event_id";
END $$;
CREATE TRIGGER "webhook_events_keep_received_at" BEFORE UPDATE OF "received_at" ON "webhook_events"
  FOR EACH ROW WHEN (OLD."received_at" IS DISTINCT FROM NEW."received_at")
  EXECUTE FUNCTION "webhook_events_keep_received_at"();
CREATE TRIGGER "webhook_events_purge_attempts"
  AFTER UPDATE OF "purged_at" ON "webhook_events"
  FOR EACH ROW WHEN (OLD."purged_at" IS NULL AND NEW."purged_at" IS NOT NULL)
  EXECUTE FUNCTION "event_attempts_purge"();

-- Retention's second step (docs/OPERATING.md): a month (or the legacy partition) whose range ended
-- before `before` and that holds no body left to purge — every event in it finished and purged
-- (and with its body went its attempts and its dead-letter entry) — is dropped whole: one short
-- lock, no row-by-row delete, no dead tuples. Its ids stay in webhook_event_ids. The default
-- partition is never dropped. Returns the names of the partitions dropped.
CREATE FUNCTION "webhook_events_drop_expired"("before" TIMESTAMPTZ) RETURNS SETOF TEXT
LANGUAGE plpgsql AS $$
DECLARE
  p RECORD;
  upper_bound TIMESTAMPTZ;
  unpurged BOOLEAN;
BEGIN
  FOR p IN
    SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = '"webhook_events"'::regclass ORDER BY c.relname
  LOOP
    upper_bound := substring(p.bound FROM 'TO \(''([^'']+)''\)')::timestamptz;
    CONTINUE WHEN upper_bound IS NULL OR upper_bound > "before";
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE "purged_at" IS NULL)', p.relname) INTO unpurged;
    CONTINUE WHEN unpurged;
    -- Its dead letters (purged: no replay possible) leave the open list with it (no trigger fires on a drop).
    EXECUTE format('DELETE FROM "webhook_events_open" o USING %I w WHERE o."status" = ''dead_lettered'' AND o."event_id" = w."event_id"', p.relname);
    EXECUTE format('DROP TABLE %I', p.relname);
    RETURN NEXT p.relname;
  END LOOP;
END $$;
