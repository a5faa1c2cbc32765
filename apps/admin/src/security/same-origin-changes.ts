import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { errorBody } from '@app/http';

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * Browsers resend cached Basic credentials on requests another site triggers (a form posting to
 * the admin port), so a change (any method but GET and HEAD, OPTIONS preflights included) is let
 * through only when
 * - the browser says it comes from the admin app itself: `Sec-Fetch-Site: same-origin`, or, from a
 *   browser that sends no Sec-Fetch-Site, an `Origin` on this host; or
 * - no browser says anything (no Sec-Fetch-Site, no Origin) and it carries `Content-Type:
 *   application/json`: what curl and scripts send. No cross-site form can, and a cross-site fetch
 *   that does needs a CORS preflight, which this refuses.
 * Everything else is a 403, whatever its content type: fail closed.
 */
export function refuseCrossSiteChanges(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (SAFE_METHODS.has(req.method) || changeAllowed(req)) return next();
    res
      .status(403)
      .json(
        errorBody(
          403,
          'a change must come from the admin app itself, or from a script sending Content-Type: application/json',
        ),
      );
  };
}

function changeAllowed(req: Request): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin';
  const origin = req.headers.origin;
  if (origin !== undefined) return sameHost(origin, req.headers.host);
  return mediaType(req.headers['content-type']) === 'application/json';
}

/**
 * The app does not know its public URL, and behind a TLS proxy it sees http while the browser
 * says https: the origin's host and port against the Host header, the scheme aside.
 */
function sameHost(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host.toLowerCase();
  } catch {
    return false; // `null` (a sandboxed frame, a redirect) or garbage
  }
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}
