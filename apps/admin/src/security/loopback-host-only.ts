import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { isLoopbackHost } from '@app/config';
import { errorBody } from '@app/http';

/**
 * Without credentials (ADMIN_AUTH_DISABLED, loopback only), a page elsewhere could still reach the
 * app through DNS rebinding: its own name, re-pointed at 127.0.0.1, makes it "same-origin". The
 * browser then sends that name as Host; only loopback names are answered.
 */
export function loopbackHostOnly(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (isLoopbackHost(hostnameOf(req.headers.host))) return next();
    res.status(403).json(errorBody(403, 'without credentials the admin app answers requests for localhost only'));
  };
}

function hostnameOf(host: string | undefined): string {
  try {
    return new URL(`http://${host ?? ''}`).hostname;
  } catch {
    return '';
  }
}
