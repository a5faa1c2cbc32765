import { randomBytes, timingSafeEqual } from 'node:crypto';
import {
  BadRequestException,
  Controller,
  Get,
  HttpStatus,
  Logger,
  NotFoundException,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import type { Response } from 'express';
import { OAuthConfig } from '@app/config';
import { ConnectMerchantUseCase } from '@app/merchants';
import { DependencyUnavailableException } from '@app/http';
import { SquareApiClient, SquareApiError } from '@app/square-api';
import type { AdminRequest } from '../auth/basic-auth.js';

export const OAUTH_PATH = 'admin/oauth/square';
const STATE_COOKIE = 'square_oauth_state';
const STATE_MAX_AGE_S = 600;

// Square's consent page per environment (SQUARE_BASE_URL replaces it, e.g. for the fake Square API).
const AUTHORIZE_ORIGIN = {
  production: 'https://connect.squareup.com',
  sandbox: 'https://connect.squareupsandbox.com',
} as const;

/**
 * Square's OAuth code flow, for platform apps onboarding sellers (docs/SELLERS.md). The
 * authorize route sends the browser to Square's consent page with a random `state` that is also
 * set in a cookie of this browser; the callback accepts a code only with that same state (CSRF:
 * another site cannot make an operator's browser connect a seller of its choosing), exchanges it
 * with the official SDK, stores the tokens sealed and replays the seller's waiting events.
 */
@Controller(OAUTH_PATH)
export class SquareOAuthController {
  private readonly logger = new Logger(SquareOAuthController.name);
  private readonly square: SquareApiClient;

  constructor(
    private readonly config: OAuthConfig,
    private readonly connect: ConnectMerchantUseCase,
  ) {
    this.square = new SquareApiClient({
      environment: config.environment,
      baseUrl: config.baseUrl,
      timeoutMs: config.timeoutMs,
    });
  }

  @Get('authorize')
  authorize(@Res() res: Response): void {
    const app = this.configured();
    const state = randomBytes(32).toString('base64url');
    const url = new URL('/oauth2/authorize', this.config.baseUrl ?? AUTHORIZE_ORIGIN[this.config.environment]);
    url.searchParams.set('client_id', app.applicationId);
    url.searchParams.set('scope', this.config.scopes.join(' '));
    url.searchParams.set('session', 'false');
    url.searchParams.set('state', state);
    url.searchParams.set('redirect_uri', app.redirectUrl);
    // Lax: sent on the top-level redirect back from Square, never on another site's subrequests.
    const secure = app.redirectUrl.startsWith('https:') ? '; Secure' : '';
    res.setHeader(
      'set-cookie',
      `${STATE_COOKIE}=${state}; Path=/${OAUTH_PATH}; Max-Age=${STATE_MAX_AGE_S}; HttpOnly; SameSite=Lax${secure}`,
    );
    res.redirect(HttpStatus.FOUND, url.toString());
  }

  @Get('callback')
  async callback(
    @Query() query: Record<string, unknown>,
    @Req() req: AdminRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<{ merchantId: string; result: 'connected'; replayedEvents: number }> {
    const app = this.configured();
    const expected = cookie(req.headers.cookie, STATE_COOKIE);
    const state = typeof query.state === 'string' ? query.state : '';
    if (!expected || !sameText(expected, state)) {
      this.logger.warn('OAuth callback refused: its state is not the one this browser was given', {
        user: req.adminUser ?? null,
      });
      throw new BadRequestException(
        `the state does not match this browser's: start again from /${OAUTH_PATH}/authorize (in the same browser, within ${STATE_MAX_AGE_S / 60} minutes)`,
      );
    }
    res.setHeader('set-cookie', `${STATE_COOKIE}=; Path=/${OAUTH_PATH}; Max-Age=0; HttpOnly; SameSite=Lax`); // one use
    if (typeof query.error === 'string') {
      throw new BadRequestException(
        `Square did not authorize the application: ${query.error}${typeof query.error_description === 'string' ? ` (${query.error_description})` : ''}`,
      );
    }
    if (typeof query.code !== 'string' || query.code === '') throw new BadRequestException('the callback has no code');
    let obtained;
    try {
      obtained = await this.square.obtainToken({
        clientId: app.applicationId,
        clientSecret: app.applicationSecret,
        code: query.code,
        redirectUri: app.redirectUrl,
      });
    } catch (err) {
      if (err instanceof SquareApiError && !err.retryable)
        throw new BadRequestException(
          `Square refused the code: ${err.message} (codes are single-use and expire after 5 minutes: start again)`,
        );
      throw new DependencyUnavailableException('square');
    }
    const { replayed } = await this.connect.execute(obtained.merchantId, { ...obtained, scopes: this.config.scopes });
    this.logger.log('seller connected through OAuth', {
      user: req.adminUser ?? null,
      merchantId: obtained.merchantId,
      replayedEvents: replayed,
    });
    return { merchantId: obtained.merchantId, result: 'connected', replayedEvents: replayed };
  }

  private configured(): { applicationId: string; applicationSecret: string; redirectUrl: string } {
    const { applicationId, applicationSecret, redirectUrl } = this.config;
    if (!applicationId || !applicationSecret || !redirectUrl) {
      throw new NotFoundException(
        'the OAuth flow is not configured: set SQUARE_APPLICATION_ID, SQUARE_APPLICATION_SECRET, SQUARE_OAUTH_REDIRECT_URL and TOKEN_ENCRYPTION_KEY',
      );
    }
    return { applicationId, applicationSecret, redirectUrl };
  }
}

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
