import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { MerchantTokenStatus } from './generated/prisma/enums.js';
import { PG_POOL } from './pg-pool.js';
import { STATUS, statement } from './sql.js';

export const TOKEN_STATUS = MerchantTokenStatus;
export type TokenStatus = MerchantTokenStatus;

/** A row of merchant_tokens; the tokens as stored: sealed (libs/merchants opens them). */
export interface StoredMerchantToken {
  merchantId: string;
  accessToken: string | null;
  refreshToken: string | null;
  expiresAt: Date | null;
  scopes: string[];
  status: TokenStatus;
  statusReason: string | null;
  refreshedAt: Date | null;
  refreshFailures: number;
  lastRefreshError: string | null;
  updatedAt: Date;
}

const COLUMNS = `merchant_id, access_token, refresh_token, expires_at, scopes, status, status_reason, refreshed_at,
  refresh_failures, last_refresh_error, updated_at`;

const UPSERT = statement<{
  merchant_id: string;
  access_token: string;
  refresh_token: string | null;
  expires_at: Date | null;
  scopes: string[];
}>(
  'upsert-merchant-token',
  `
  INSERT INTO merchant_tokens (merchant_id, access_token, refresh_token, expires_at, scopes)
  VALUES (:merchant_id, :access_token, :refresh_token, :expires_at, :scopes::text[])
  ON CONFLICT (merchant_id) DO UPDATE
  SET access_token = EXCLUDED.access_token, refresh_token = EXCLUDED.refresh_token, expires_at = EXCLUDED.expires_at,
      scopes = EXCLUDED.scopes, status = '${TOKEN_STATUS.active}', status_reason = NULL, refresh_failures = 0,
      last_refresh_error = NULL, updated_at = now()`,
);

type Row = {
  merchant_id: string;
  access_token: string | null;
  refresh_token: string | null;
  expires_at: Date | null;
  scopes: string[];
  status: TokenStatus;
  status_reason: string | null;
  refreshed_at: Date | null;
  refresh_failures: number;
  last_refresh_error: string | null;
  updated_at: Date;
};

const FIND = statement<{ merchant_id: string }, Row>(
  'find-merchant-token',
  `SELECT ${COLUMNS} FROM merchant_tokens WHERE merchant_id = :merchant_id`,
);
const LIST = statement<Record<string, never>, Row>(
  'list-merchant-tokens',
  `SELECT ${COLUMNS} FROM merchant_tokens ORDER BY merchant_id`,
);
const REMOVE = statement<{ merchant_id: string }>(
  'remove-merchant-token',
  'DELETE FROM merchant_tokens WHERE merchant_id = :merchant_id',
);

// Only an active row changes: a revocation that came first is never undone by a late 401.
const NEEDS_REAUTH = statement<{ merchant_id: string; reason: string }>(
  'merchant-needs-reauth',
  `
  UPDATE merchant_tokens SET status = '${TOKEN_STATUS.needs_reauth}', status_reason = :reason, updated_at = now()
  WHERE merchant_id = :merchant_id AND status = '${TOKEN_STATUS.active}'`,
);

/** The seller revoked the application (oauth.authorization.revoked): the tokens are deleted, the row stays to say so. */
export const REVOKE_MERCHANT = statement<{ merchant_id: string; reason: string }>(
  'revoke-merchant',
  `
  INSERT INTO merchant_tokens (merchant_id, status, status_reason) VALUES (:merchant_id, '${TOKEN_STATUS.revoked}', :reason)
  ON CONFLICT (merchant_id) DO UPDATE
  SET access_token = NULL, refresh_token = NULL, expires_at = NULL, status = '${TOKEN_STATUS.revoked}', status_reason = :reason, updated_at = now()`,
);

// Active tokens with a refresh token that expire before the cutoff (they are due a refresh).
const DUE_FOR_REFRESH = statement<{ before: Date; limit: number }, Row>(
  'merchant-tokens-due',
  `
  SELECT ${COLUMNS} FROM merchant_tokens
  WHERE status = '${TOKEN_STATUS.active}' AND refresh_token IS NOT NULL AND expires_at < :before
  ORDER BY expires_at LIMIT :limit`,
);

// Only if the row is as it was read: a token added or revoked meanwhile wins.
const REFRESHED = statement<{
  merchant_id: string;
  access_token: string;
  refresh_token: string;
  expires_at: Date | null;
  read_at: Date;
}>(
  'merchant-token-refreshed',
  `
  UPDATE merchant_tokens
  SET access_token = :access_token, refresh_token = :refresh_token, expires_at = :expires_at, refreshed_at = now(),
      refresh_failures = 0, last_refresh_error = NULL, updated_at = now()
  WHERE merchant_id = :merchant_id AND status = '${TOKEN_STATUS.active}' AND updated_at = :read_at`,
);

const REFRESH_FAILED = statement<{ merchant_id: string; error: string; needs_reauth: boolean }>(
  'merchant-token-refresh-failed',
  `
  UPDATE merchant_tokens
  SET refresh_failures = refresh_failures + 1, last_refresh_error = :error,
      status = CASE WHEN :needs_reauth THEN '${TOKEN_STATUS.needs_reauth}'::merchant_token_status ELSE status END,
      status_reason = CASE WHEN :needs_reauth THEN :error ELSE status_reason END, updated_at = now()
  WHERE merchant_id = :merchant_id AND status = '${TOKEN_STATUS.active}'`,
);

const RESEAL = statement<{
  merchant_id: string;
  access_token: string | null;
  refresh_token: string | null;
  read_at: Date;
}>(
  'reseal-merchant-token',
  `
  UPDATE merchant_tokens SET access_token = :access_token, refresh_token = :refresh_token
  WHERE merchant_id = :merchant_id AND updated_at = :read_at`,
);

// A merchant's events that wait for its token: dead-lettered for want of one, oldest first.
const WAITING_EVENTS = statement<{ merchant_id: string; reasons: string[]; limit: number }, { event_id: string }>(
  'events-waiting-for-token',
  `
  SELECT event_id FROM webhook_events
  WHERE status = '${STATUS.dead_lettered}' AND merchant_id = :merchant_id AND dead_letter_reason = ANY(:reasons::text[])
  ORDER BY received_at LIMIT :limit`,
);

/** merchant_tokens: the sealed per-seller tokens (the token store); sealing is libs/merchants'. */
@Injectable()
export class MerchantTokensRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async upsert(
    merchantId: string,
    t: { accessToken: string; refreshToken: string | null; expiresAt: Date | null; scopes: readonly string[] },
  ): Promise<void> {
    await UPSERT.run(this.pool, {
      merchant_id: merchantId,
      access_token: t.accessToken,
      refresh_token: t.refreshToken,
      expires_at: t.expiresAt,
      scopes: [...t.scopes],
    });
  }

  async find(merchantId: string): Promise<StoredMerchantToken | null> {
    const { rows } = await FIND.run(this.pool, { merchant_id: merchantId });
    return rows[0] ? toToken(rows[0]) : null;
  }

  async list(): Promise<StoredMerchantToken[]> {
    const { rows } = await LIST.run(this.pool, {});
    return rows.map(toToken);
  }

  async remove(merchantId: string): Promise<boolean> {
    return (await REMOVE.run(this.pool, { merchant_id: merchantId })).rowCount === 1;
  }

  async markNeedsReauth(merchantId: string, reason: string): Promise<void> {
    await NEEDS_REAUTH.run(this.pool, { merchant_id: merchantId, reason });
  }

  async dueForRefresh(before: Date, limit: number): Promise<StoredMerchantToken[]> {
    const { rows } = await DUE_FOR_REFRESH.run(this.pool, { before, limit });
    return rows.map(toToken);
  }

  async refreshed(
    read: StoredMerchantToken,
    t: { accessToken: string; refreshToken: string; expiresAt: Date | null },
  ): Promise<boolean> {
    const { rowCount } = await REFRESHED.run(this.pool, {
      merchant_id: read.merchantId,
      access_token: t.accessToken,
      refresh_token: t.refreshToken,
      expires_at: t.expiresAt,
      read_at: read.updatedAt,
    });
    return rowCount === 1;
  }

  async refreshFailed(merchantId: string, error: string, needsReauth: boolean): Promise<void> {
    await REFRESH_FAILED.run(this.pool, { merchant_id: merchantId, error, needs_reauth: needsReauth });
  }

  async reseal(
    read: StoredMerchantToken,
    t: { accessToken: string | null; refreshToken: string | null },
  ): Promise<boolean> {
    const { rowCount } = await RESEAL.run(this.pool, {
      merchant_id: read.merchantId,
      access_token: t.accessToken,
      refresh_token: t.refreshToken,
      read_at: read.updatedAt,
    });
    return rowCount === 1;
  }

  async waitingEvents(merchantId: string, reasons: readonly string[], limit = 10_000): Promise<string[]> {
    const { rows } = await WAITING_EVENTS.run(this.pool, { merchant_id: merchantId, reasons: [...reasons], limit });
    return rows.map((r) => r.event_id);
  }
}

function toToken(r: Row): StoredMerchantToken {
  return {
    merchantId: r.merchant_id,
    accessToken: r.access_token,
    refreshToken: r.refresh_token,
    expiresAt: r.expires_at,
    scopes: r.scopes,
    status: r.status,
    statusReason: r.status_reason,
    refreshedAt: r.refreshed_at,
    refreshFailures: r.refresh_failures,
    lastRefreshError: r.last_refresh_error,
    updatedAt: r.updated_at,
  };
}
