import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { errorMessage } from '@app/observability';
import { RetryLaterException } from './dependency-unavailable.exception.js';

/**
 * Every error leaves as small JSON: {statusCode, error, message}. Never a stack trace, never the
 * request body; unexpected errors are logged here and answered with a generic 500.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpErrorFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    let status = HttpStatus.INTERNAL_SERVER_ERROR;
    let message = 'Internal server error';
    if (exception instanceof HttpException) {
      status = exception.getStatus();
      message = messageOf(exception);
      if (exception instanceof RetryLaterException) {
        res.setHeader('Retry-After', String(exception.retryAfterSeconds));
      }
    } else {
      this.logger.error('unhandled error', { error: errorMessage(exception), stack: (exception as Error)?.stack });
    }
    if (res.headersSent) return;
    res.status(status).json(errorBody(status, message));
  }
}

/** The one shape of every error answer: {statusCode, error, message}. */
export function errorBody(status: number, message: string): { statusCode: number; error: string; message: string } {
  return { statusCode: status, error: reasonPhrase(status), message };
}

/** An HttpException's message as one line (a validation's list joined with '; '). */
export function messageOf(exception: HttpException): string {
  const body = exception.getResponse();
  if (typeof body === 'string') return body;
  const message = (body as { message?: unknown }).message;
  return Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : exception.message;
}

function reasonPhrase(status: number): string {
  const name = HttpStatus[status];
  return name
    ? name
        .toLowerCase()
        .replace(/_/g, ' ')
        .replace(/^./, (c) => c.toUpperCase())
    : 'Error';
}
