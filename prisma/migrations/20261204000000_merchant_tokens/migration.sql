-- CreateEnum
CREATE TYPE "merchant_token_status" AS ENUM ('active', 'needs_reauth', 'revoked');

-- One row per seller whose objects the worker reads with that seller's own OAuth token. The tokens
-- are sealed (AES-256-GCM with TOKEN_ENCRYPTION_KEY, bound to the merchant id): never in clear.
CREATE TABLE "merchant_tokens" (
    "merchant_id" TEXT NOT NULL,
    "access_token" TEXT,
    "refresh_token" TEXT,
    "expires_at" TIMESTAMPTZ(3),
    "scopes" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "status" "merchant_token_status" NOT NULL DEFAULT 'active',
    "status_reason" TEXT,
    "refreshed_at" TIMESTAMPTZ(3),
    "refresh_failures" INTEGER NOT NULL DEFAULT 0,
    "last_refresh_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "merchant_tokens_pkey" PRIMARY KEY ("merchant_id")
);

-- CreateIndex
CREATE INDEX "merchant_tokens_status_expires_at_idx" ON "merchant_tokens"("status", "expires_at");
