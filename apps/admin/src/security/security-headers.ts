import type { NextFunction, Request, RequestHandler, Response } from 'express';

// A fixed set of static headers: a dozen lines here, rather than helmet, whose defaults would need
// overriding almost one by one (its CSP adds upgrade-insecure-requests, which breaks the board on a
// plain-HTTP loopback port, and allows https: styles and fonts), for a new dependency.

const POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
];

/** Bull Board's bundle injects <style> elements at run time: the one thing it needs beyond the policy. */
const INLINE_STYLES = POLICY.map((d) => (d.startsWith('style-src') ? "style-src 'self' 'unsafe-inline'" : d));

const HEADERS: Record<string, string> = {
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  // URLs name events and deliveries: they stay on this site.
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * On every answer of the admin app, its pages, API, Bull Board, refusals and probes alike: no
 * framing (clickjacking), no sniffing, scripts from this app only (so no CDN, and Bull Board's
 * Google Fonts fall back to the system's). `inlineStylesUnder`: paths whose pages need inline styles.
 */
export function securityHeaders(opts: { inlineStylesUnder: readonly string[] }): RequestHandler {
  const strict = POLICY.join('; ');
  const relaxed = INLINE_STYLES.join('; ');
  const relaxedPath = (path: string) => opts.inlineStylesUnder.some((p) => path === p || path.startsWith(`${p}/`));
  return (req: Request, res: Response, next: NextFunction): void => {
    res.setHeader('Content-Security-Policy', relaxedPath(req.path) ? relaxed : strict);
    for (const [name, value] of Object.entries(HEADERS)) res.setHeader(name, value);
    next();
  };
}
