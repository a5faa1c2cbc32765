import type { LoggerService } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { type LogConfig } from '@app/config';
import { levelEnabled } from '@app/observability';

// Probes and scrapes hit these every few seconds: logged at debug level only.
const QUIET = /^\/(health|metrics)(\/|$)/;

/** One request, as its log line says it; handlers add what correlates it (eventId, outcome). */
export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  /** Since the request arrived, from process.hrtime.bigint(). */
  startedAt: bigint;
  eventId?: string;
  outcome?: string;
}

/**
 * Logs one line per answered request: method, path, status, duration and what the handler added.
 * Never the body or headers. Built only when its level is on (a line per request is not free).
 */
export class RequestLog {
  private readonly enabled: { log: boolean; warn: boolean; debug: boolean };

  constructor(
    private readonly logger: LoggerService,
    config: LogConfig,
  ) {
    this.enabled = {
      log: levelEnabled(config, 'log'),
      warn: levelEnabled(config, 'warn'),
      debug: levelEnabled(config, 'debug'),
    };
  }

  write(entry: RequestLogEntry): void {
    const level = QUIET.test(entry.path) ? 'debug' : entry.status >= 500 ? 'warn' : 'log';
    if (!this.enabled[level]) return;
    const { startedAt, eventId, outcome, ...rest } = entry;
    const line = {
      ...rest,
      ms: Math.round(Number(process.hrtime.bigint() - startedAt) / 1e4) / 100,
      ...(eventId ? { eventId } : {}),
      ...(outcome ? { outcome } : {}),
    };
    if (level === 'debug') this.logger.debug?.('request', line);
    else this.logger[level]('request', line);
  }

  /** The same line for every route of an Express app, written when the response is finished. */
  middleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      const startedAt = process.hrtime.bigint();
      res.on('finish', () =>
        this.write({
          method: req.method,
          path: req.originalUrl.split('?')[0] ?? req.originalUrl,
          status: res.statusCode,
          startedAt,
        }),
      );
      next();
    };
  }
}
