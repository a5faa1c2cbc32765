import type { QueueJobJson } from '@bull-board/api/typings/app';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule, type BullBoardModuleOptions } from '@bull-board/nestjs';
import type { DynamicModule } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { errorBody } from '@app/http';
import { QUEUES, forwardQueue } from '@app/queue';

export const QUEUES_BOARD_PATH = '/admin/queues';

/** Each job carries an event id: link it to the console's page of that event. */
function eventLink(job: QueueJobJson): { displayText: string; href: string } {
  const eventId = (job.data as { eventId?: unknown } | undefined)?.eventId;
  if (typeof eventId !== 'string') return { displayText: 'Events (console)', href: '/events' };
  return { displayText: 'Event (console)', href: `/events/${encodeURIComponent(eventId)}` };
}

/** Each delivery job carries a delivery id: link it to the console, which shows it on its event's page. */
function deliveryLink(job: QueueJobJson): { displayText: string; href: string } {
  const deliveryId = (job.data as { deliveryId?: unknown } | undefined)?.deliveryId;
  if (typeof deliveryId !== 'string') return { displayText: 'Deliveries', href: '/admin/api/deliveries' };
  return { displayText: 'Delivery (console)', href: `/deliveries/${encodeURIComponent(deliveryId)}` };
}

/** Bull Board's own Express sub-app sets X-Powered-By (a sub-app does not inherit the setting). */
class BoardExpressAdapter extends ExpressAdapter {
  constructor() {
    super();
    this.app.disable('x-powered-by');
  }
}

/**
 * Behind every queue's readOnlyMode (which hides the buttons and makes Bull Board refuse the
 * change), a change it might add in a later version is refused here too.
 */
function readOnlyBoard(req: Request, res: Response, next: NextFunction): void {
  if (req.method === 'GET' || req.method === 'HEAD') return next();
  res
    .status(405)
    .json(errorBody(405, 'Bull Board is read-only: replay events and deliveries from the admin API or the events CLI'));
}

/**
 * Bull Board at /admin/queues over the queues QueueModule.forRoot() registers. forFeature()
 * looks each queue up by @nestjs/bullmq's token (getQueueToken(name)), which is how QueueModule
 * provides them: the board shows the very Queue instances (prefix, connection) the app uses.
 *
 * Every queue is read-only. Pausing, emptying or cleaning a live queue from a browser would stop
 * or lose events behind the inbox's back; retrying a failed job would do nothing useful (the
 * worker skips an event that is no longer 'received'): replays go through
 * POST /admin/api/…/replay, which resets the inbox row first. The dead-letter queue mirrors the inbox.
 */
export function queuesBoardImports(destinations: readonly string[]): DynamicModule[] {
  const readOnly = { readOnlyMode: true, allowRetries: false } as const;
  return [
    BullBoardModule.forRoot({
      route: QUEUES_BOARD_PATH,
      // @bull-board/express 9.10.1 brings its own @bull-board/api 9.10.1 whose declarations differ
      // from the root 9.10.2 only by identity; at runtime the board is built by the root one.
      adapter: BoardExpressAdapter as unknown as BullBoardModuleOptions['adapter'],
      boardOptions: { uiConfig: { boardTitle: 'Square webhooks' } },
      middleware: readOnlyBoard,
    }),
    BullBoardModule.forFeature(
      {
        name: QUEUES.squareEvents,
        adapter: BullMQAdapter,
        options: { ...readOnly, externalJobUrl: eventLink, description: 'process-event jobs (one per inbox event)' },
      },
      {
        name: QUEUES.deadLetter,
        adapter: BullMQAdapter,
        options: {
          ...readOnly,
          externalJobUrl: eventLink,
          description: 'dead-lettered events; replay them from the admin API',
        },
      },
      // A delivery job fails for good only once its delivery is dead-lettered: replays reset the row first.
      ...destinations.map((name) => ({
        name: forwardQueue(name),
        adapter: BullMQAdapter,
        options: {
          ...readOnly,
          externalJobUrl: deliveryLink,
          description: `deliveries to destination "${name}"; replay dead letters from the admin API`,
        },
      })),
    ),
  ];
}
