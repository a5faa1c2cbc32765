import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { messageOf } from '@app/http';
import { errorMessage } from '@app/observability';
import { html } from './html.js';
import { page } from './layout.js';

/** The console's errors are pages, not JSON: the message a person can act on, never a stack trace. */
@Catch()
export class ConsoleErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Console');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    let status: number = HttpStatus.INTERNAL_SERVER_ERROR;
    let message = "Something went wrong; the admin app's log says what.";
    if (exception instanceof HttpException) {
      status = exception.getStatus();
      message = messageOf(exception);
    } else {
      this.logger.error('console page failed', { error: errorMessage(exception), stack: (exception as Error)?.stack });
    }
    if (res.headersSent) return;
    const content = html`<h1>${status === 404 ? 'Not found' : 'Cannot show this page'}</h1>
      <p><a href="/">Overview</a> · <a href="/events">Events</a></p>`;
    res
      .status(status)
      .type('html')
      .send(String(page('Error', '/', content, { text: message, error: true })));
  }
}
