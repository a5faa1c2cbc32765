import { Injectable } from '@nestjs/common';
import { ConfigError, MerchantsConfig } from '@app/config';
import { MerchantTokensRepository, TOKEN_STATUS, type StoredMerchantToken, type TokenStatus } from '@app/database';
import { TokenCipher } from './token-cipher.js';

/** Why an event waits for its merchant's token (its dead_letter_reason). */
export const MERCHANT_REASONS = {
  notAuthorized: 'merchant_not_authorized',
  needsReauth: 'merchant_needs_reauth',
  revoked: 'merchant_revoked',
} as const;

/** What the store has for a merchant. */
export type TokenLookup =
  | { state: 'active'; accessToken: string }
  | { state: Exclude<TokenStatus, 'active'>; reason: string }
  | { state: 'absent' };

/** A merchant as `merchants list` shows it: never a token. */
export interface MerchantSummary {
  merchantId: string;
  status: TokenStatus;
  statusReason: string | null;
  expiresAt: Date | null;
  hasRefreshToken: boolean;
  scopes: string[];
  refreshedAt: Date | null;
  refreshFailures: number;
  lastRefreshError: string | null;
}

export interface NewTokens {
  accessToken: string;
  refreshToken?: string | null;
  expiresAt?: Date | null;
  scopes?: readonly string[];
}

const ACCESS = 'access';
const REFRESH = 'refresh';

/**
 * The token store: each seller's OAuth tokens, sealed with TOKEN_ENCRYPTION_KEY before they reach
 * Postgres and opened only in memory. Without that key the store is off: the worker serves every
 * merchant with SQUARE_ACCESS_TOKEN, and adding a token is a configuration error.
 */
@Injectable()
export class MerchantTokens {
  private readonly cipher: TokenCipher | undefined;

  constructor(
    private readonly repository: MerchantTokensRepository,
    config: MerchantsConfig,
  ) {
    this.cipher = config.encryptionKey ? new TokenCipher(config.encryptionKey, config.oldEncryptionKeys) : undefined;
  }

  get enabled(): boolean {
    return this.cipher !== undefined;
  }

  async add(merchantId: string, tokens: NewTokens): Promise<void> {
    const cipher = this.requireCipher();
    await this.repository.upsert(merchantId, {
      accessToken: cipher.seal(tokens.accessToken, `${merchantId}/${ACCESS}`),
      refreshToken: tokens.refreshToken ? cipher.seal(tokens.refreshToken, `${merchantId}/${REFRESH}`) : null,
      expiresAt: tokens.expiresAt ?? null,
      scopes: tokens.scopes ?? [],
    });
  }

  async lookup(merchantId: string): Promise<TokenLookup> {
    if (!this.cipher) return { state: 'absent' };
    const stored = await this.repository.find(merchantId);
    if (!stored) return { state: 'absent' };
    if (stored.status !== TOKEN_STATUS.active || stored.accessToken === null) {
      const state = stored.status === TOKEN_STATUS.active ? TOKEN_STATUS.needs_reauth : stored.status;
      return { state, reason: stored.statusReason ?? `the merchant's token is ${state}` };
    }
    return { state: 'active', accessToken: this.cipher.open(stored.accessToken, `${merchantId}/${ACCESS}`) };
  }

  /** The refresh token of a stored row, opened. */
  refreshTokenOf(stored: StoredMerchantToken): string | null {
    return stored.refreshToken === null
      ? null
      : this.requireCipher().open(stored.refreshToken, `${stored.merchantId}/${REFRESH}`);
  }

  /** Stores a refresh's result, unless the row changed since it was read (then it is left alone). */
  async saveRefreshed(
    read: StoredMerchantToken,
    t: { accessToken: string; refreshToken: string; expiresAt: Date | null },
  ): Promise<boolean> {
    const cipher = this.requireCipher();
    return this.repository.refreshed(read, {
      accessToken: cipher.seal(t.accessToken, `${read.merchantId}/${ACCESS}`),
      refreshToken: cipher.seal(t.refreshToken, `${read.merchantId}/${REFRESH}`),
      expiresAt: t.expiresAt,
    });
  }

  async list(): Promise<MerchantSummary[]> {
    return (await this.repository.list()).map((t) => ({
      merchantId: t.merchantId,
      status: t.status,
      statusReason: t.statusReason,
      expiresAt: t.expiresAt,
      hasRefreshToken: t.refreshToken !== null,
      scopes: t.scopes,
      refreshedAt: t.refreshedAt,
      refreshFailures: t.refreshFailures,
      lastRefreshError: t.lastRefreshError,
    }));
  }

  remove(merchantId: string): Promise<boolean> {
    return this.repository.remove(merchantId);
  }

  /**
   * After TOKEN_ENCRYPTION_KEY changed (the old one in TOKEN_ENCRYPTION_OLD_KEYS): reseals every
   * token with the current key. Resolves with how many rows were resealed and already current.
   */
  async rotateKey(): Promise<{ resealed: number; current: number }> {
    const cipher = this.requireCipher();
    let resealed = 0;
    let current = 0;
    for (const row of await this.repository.list()) {
      const sealed = [row.accessToken, row.refreshToken].filter((v): v is string => v !== null);
      if (sealed.every((v) => cipher.isCurrent(v))) {
        current++;
        continue;
      }
      const reseal = (value: string | null, field: string) =>
        value === null
          ? null
          : cipher.seal(cipher.open(value, `${row.merchantId}/${field}`), `${row.merchantId}/${field}`);
      if (
        await this.repository.reseal(row, {
          accessToken: reseal(row.accessToken, ACCESS),
          refreshToken: reseal(row.refreshToken, REFRESH),
        })
      )
        resealed++;
    }
    return { resealed, current };
  }

  private requireCipher(): TokenCipher {
    if (!this.cipher)
      throw new ConfigError([
        "TOKEN_ENCRYPTION_KEY is required to store sellers' tokens (the base64 of 32 random bytes, e.g. from `openssl rand -base64 32`)",
      ]);
    return this.cipher;
  }
}
