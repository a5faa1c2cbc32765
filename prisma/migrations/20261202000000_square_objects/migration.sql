-- The mirror of every Square object other than payments and refunds (which keep their typed tables):
-- one row per (object type, object id), replaced only by a strictly newer version.
CREATE TABLE "square_objects" (
    "object_type" TEXT NOT NULL,
    "object_id" TEXT NOT NULL,
    "merchant_id" TEXT,
    "location_id" TEXT,
    "version" BIGINT,
    "square_updated_at" TIMESTAMPTZ(3),
    "deleted" BOOLEAN NOT NULL DEFAULT false,
    "source" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "last_event_id" TEXT NOT NULL,
    "event_created_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "square_objects_pkey" PRIMARY KEY ("object_type", "object_id")
);

-- CreateIndex
CREATE INDEX "square_objects_merchant_id_object_type_idx" ON "square_objects"("merchant_id", "object_type");

-- CreateIndex
CREATE INDEX "square_objects_location_id_idx" ON "square_objects"("location_id");
