import { createHash, timingSafeEqual } from 'node:crypto';
import type { LoggerService } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { errorBody } from '@app/http';
import { LoginThrottle } from './login-throttle.js';

export const AUTH_REALM = 'admin';

/** Paths open without credentials: probes (Docker, Kubernetes, load balancers) must not need the password. */
const OPEN_PATHS = new Set(['/health/live', '/health/ready']);

export interface Credentials {
  username: string;
  password: string;
}

/** A request that passed authentication carries the username, for audit logs. */
export type AdminRequest = Request & { adminUser?: string };

/** Reads `Authorization: Basic base64(user:password)`; undefined when absent or malformed. */
export function parseBasicAuth(header: string | undefined): Credentials | undefined {
  const match = /^Basic +([A-Za-z0-9+/=_-]+) *$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  // The password may contain colons; the username may not (RFC 7617).
  return colon < 0 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Constant time: both sides are hashed to equal lengths first, and both fields are always
 * compared, so neither the length nor the first wrong byte (nor which field was wrong) leaks.
 */
export function credentialsMatch(given: Credentials, expected: Credentials): boolean {
  const userOk = sameSecret(given.username, expected.username);
  const passwordOk = sameSecret(given.password, expected.password);
  return userOk && passwordOk;
}

function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Express middleware for everything on the admin port except the health probes. Mounted with
 * app.use() before Nest registers any route or module middleware, so it runs in front of Bull
 * Board's router too (see admin.app.ts). Wrong credentials are logged with the username and the
 * remote address, never the password. A client that failed too often is answered 429 before its
 * credentials are even compared (LoginThrottle); the address is the socket's, as X-Forwarded-For
 * is anyone's to write.
 */
export function basicAuth(
  expected: Credentials,
  logger: LoggerService,
  throttle = new LoginThrottle(),
): RequestHandler {
  return (req: AdminRequest, res: Response, next: NextFunction): void => {
    if ((req.method === 'GET' || req.method === 'HEAD') && OPEN_PATHS.has(req.path)) return next();
    const client = req.socket.remoteAddress ?? 'unknown';
    const waitMs = throttle.waitMs(client);
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      res.setHeader('Retry-After', String(seconds));
      res
        .status(429)
        .json(errorBody(429, `too many failed logins from this address: try again in ${seconds} s (Retry-After)`));
      return;
    }
    const given = parseBasicAuth(req.headers.authorization);
    if (given && credentialsMatch(given, expected)) {
      throttle.succeeded(client);
      req.adminUser = given.username;
      return next();
    }
    if (given) {
      const remote = { username: given.username.slice(0, 100), remoteAddress: client };
      logger.warn('admin authentication failed', { ...remote, method: req.method, path: req.path.slice(0, 200) });
      const waitStarted = throttle.failed(client);
      if (waitStarted > 0)
        logger.warn('admin logins throttled', { ...remote, retryAfterSeconds: Math.ceil(waitStarted / 1000) });
    }
    res.setHeader('WWW-Authenticate', `Basic realm="${AUTH_REALM}"`);
    res.status(401).json(errorBody(401, 'admin credentials required'));
  };
}
