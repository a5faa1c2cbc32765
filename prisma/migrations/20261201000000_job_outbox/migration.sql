-- Jobs waiting to be put in a BullMQ queue, written in the same transaction as what they are about
-- (an inbox row today). The worker's relay moves them to Redis and deletes them in one transaction,
-- so a job is never lost between Postgres and Redis, and the ingress never needs Redis at all.
CREATE TABLE "job_outbox" (
    "queue" TEXT NOT NULL,
    "ref" TEXT NOT NULL,
    "generation" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "job_outbox_pkey" PRIMARY KEY ("queue", "ref")
);

-- CreateIndex
CREATE INDEX "job_outbox_created_at_idx" ON "job_outbox"("created_at");

-- Wakes the relays (LISTEN job_outbox) once per statement that added rows. Prisma's schema cannot
-- express a trigger; it lives here only.
CREATE FUNCTION "notify_job_outbox"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM added) THEN
    PERFORM pg_notify('job_outbox', '');
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "job_outbox_notify" AFTER INSERT ON "job_outbox"
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION "notify_job_outbox"();
