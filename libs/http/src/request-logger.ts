import type { LoggerService } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

// Probes and scrapes hit these every few seconds: logged at debug level only.
const QUIET = /^\/(health|metrics)(\/|$)/;

/**
 * One log line per request when its response is finished: method, path, status, duration, and
 * what handlers put in res.locals for correlation (eventId, outcome). Never the body or headers.
 */
export function requestLogger(logger: LoggerService) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const path = req.originalUrl.split('?')[0] ?? req.originalUrl;
      const entry = {
        method: req.method,
        path,
        status: res.statusCode,
        ms: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
        ...(res.locals.eventId ? { eventId: res.locals.eventId as string } : {}),
        ...(res.locals.outcome ? { outcome: res.locals.outcome as string } : {}),
      };
      if (QUIET.test(path)) logger.debug?.('request', entry);
      else if (res.statusCode >= 500) logger.warn('request', entry);
      else logger.log('request', entry);
    });
    next();
  };
}
