-- Which of the team's handlers applied which event: the live apply path and `events rerun` both
-- take this claim in the transaction of the handler's writes, so that no (handler, event) pair is
-- ever applied twice, even when both run at the same moment.
CREATE TABLE "handler_claims" (
    "handler" TEXT NOT NULL,
    "event_id" TEXT NOT NULL,
    "claimed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "handler_claims_pkey" PRIMARY KEY ("handler", "event_id")
);
