-- The temporary destinations of `square listen --forward-to`: each worker reads the live ones
-- (lease_until in the future) every second and forwards to them as to the file's destinations;
-- the CLI renews its lease every few seconds and deletes its row (and its deliveries) when it
-- stops; a lapsed lease (the CLI was killed) is removed by the worker the same way.
CREATE TABLE "listen_destinations" (
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "secret" TEXT NOT NULL,
    "event_types" TEXT[],
    "lease_until" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "listen_destinations_pkey" PRIMARY KEY ("name")
);
