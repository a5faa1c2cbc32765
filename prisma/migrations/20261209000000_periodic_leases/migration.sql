-- Behind a transaction pooler without DATABASE_DIRECT_URL, a periodic task (reconcile, retention,
-- token refresh) cannot hold a session advisory lock across its pass: it holds a lease row instead,
-- renewed while it runs and lapsing by itself when its worker dies (libs/database/src/periodic-lock.ts).
CREATE TABLE "periodic_leases" (
    "lock_id" BIGINT NOT NULL,
    "holder" UUID NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "periodic_leases_pkey" PRIMARY KEY ("lock_id")
);
