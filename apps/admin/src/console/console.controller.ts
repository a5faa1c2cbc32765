import {
  BadRequestException,
  Controller,
  Get,
  Header,
  Inject,
  Logger,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
} from '@nestjs/common';
import type { Response } from 'express';
import { DESTINATIONS, type Destination } from '@app/config';
import {
  ConsoleQueryRepository,
  DeliveryQueryRepository,
  EventAttemptsRepository,
  EventQueryRepository,
} from '@app/database';
import {
  DestinationControlUseCase,
  ReplayEventsUseCase,
  encodeCursor,
  parseListEventsQuery,
  single,
} from '@app/events';
import { messageOf } from '@app/http';
import type { AdminRequest } from '../auth/basic-auth.js';
import { ConsoleErrorFilter } from './console-error.filter.js';
import { STYLESHEET, STYLESHEET_PATH } from './console.css.js';
import { eventPage, replayConfirmPage } from './event.page.js';
import { EVENT_FILTERS, eventsPage, nextPageHref, type EventFilterValues } from './events.page.js';
import { eventHref, href, type Html } from './html.js';
import { deadLetterReplayPage, deadLettersPage, rejectedPage, sellersPage, type GroupKey } from './lists.page.js';
import { overviewPage } from './overview.page.js';

// A group replayed from a page: at most this many per press, at this rate (as the admin API's).
const GROUP_REPLAY_MAX = 1000;
const GROUP_REPLAY_RATE = 500;

const HTML = 'text/html; charset=utf-8';

/**
 * The operator console at `/`: server-rendered pages over the admin API's own queries and use
 * cases. Changes are same-origin form POSTs (refuseCrossSiteChanges lets only those through) that
 * answer with a redirect to the page showing the result.
 */
@Controller()
@UseFilters(ConsoleErrorFilter)
export class ConsoleController {
  private readonly logger = new Logger('Console');

  constructor(
    private readonly events: EventQueryRepository,
    private readonly attempts: EventAttemptsRepository,
    private readonly deliveries: DeliveryQueryRepository,
    private readonly figures: ConsoleQueryRepository,
    private readonly replays: ReplayEventsUseCase,
    private readonly control: DestinationControlUseCase,
    @Inject(DESTINATIONS) private readonly destinations: readonly Destination[],
  ) {}

  @Get(STYLESHEET_PATH.slice(1))
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=300')
  stylesheet(): string {
    return STYLESHEET;
  }

  @Get()
  @Header('Content-Type', HTML)
  async overview(): Promise<string> {
    const [figures, destinations] = await Promise.all([
      this.figures.overview(),
      this.control.list(this.destinations.map((d) => d.name)),
    ]);
    return send(overviewPage(figures, destinations));
  }

  @Get('events')
  async list(@Query() query: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const values = filterValues(query);
    const cursor = typeof query.cursor === 'string' ? query.cursor : undefined;
    // An event id is not a filter: it names one event, whose page is the answer.
    if (values.eventId) {
      const found = await this.events.find(values.eventId);
      if (found) return res.redirect(303, eventHref(found.eventId));
      return void res
        .status(404)
        .type('html')
        .send(send(eventsPage(values, [], null, `No event ${values.eventId}.`)));
    }
    const { eventId: _, ...filters } = values;
    let parsed;
    try {
      parsed = parseListEventsQuery({ ...filters, ...(cursor ? { cursor } : {}) });
    } catch (err) {
      if (!(err instanceof BadRequestException)) throw err;
      return void res
        .status(400)
        .type('html')
        .send(send(eventsPage(values, null, null, messageOf(err))));
    }
    const pageOf = await this.events.list(parsed.filter, parsed.limit, parsed.after);
    const next = pageOf.next ? nextPageHref(values, encodeCursor(pageOf.next)) : null;
    res.type('html').send(send(eventsPage(values, pageOf.events, next)));
  }

  @Get('events/:eventId')
  @Header('Content-Type', HTML)
  async show(@Param('eventId') eventId: string, @Query('replayed') replayed?: string): Promise<string> {
    const event = await this.findEvent(eventId);
    const objectId = objectIdOf(event.rawBody);
    const [attempts, deliveries, mirrored] = await Promise.all([
      this.attempts.forEvent(eventId),
      this.deliveries.list({ eventIds: [eventId] }, 100),
      objectId ? this.figures.mirroredObject(objectId) : [],
    ]);
    const forwardAttempts = await this.deliveries.attemptsOf(deliveries.deliveries.map((d) => d.id));
    const notice =
      replayed === '1' ? 'Replayed: the event is waiting for the worker again. Reload to follow it.' : undefined;
    return send(
      eventPage({ event, attempts, deliveries: deliveries.deliveries, forwardAttempts, objectId, mirrored }, notice),
    );
  }

  @Get('events/:eventId/raw')
  async raw(@Param('eventId') eventId: string, @Res() res: Response): Promise<void> {
    const event = await this.findEvent(eventId);
    res
      .type('application/json')
      .attachment(`${eventId.replace(/[^\w.-]/g, '_')}.json`)
      .send(event.rawBody);
  }

  @Get('events/:eventId/replay')
  @Header('Content-Type', HTML)
  async confirmReplay(@Param('eventId') eventId: string): Promise<string> {
    return send(replayConfirmPage(await this.findEvent(eventId)));
  }

  @Post('events/:eventId/replay')
  async replay(@Param('eventId') eventId: string, @Req() req: AdminRequest, @Res() res: Response): Promise<void> {
    const result = await this.replays.replay([eventId]);
    this.logger.log('admin replay (console)', {
      user: req.adminUser ?? null,
      eventId,
      replayed: result.replayed.length,
    });
    if (result.replayed.includes(eventId)) return res.redirect(303, `${eventHref(eventId)}?replayed=1`);
    if (result.notFound.length > 0) throw new NotFoundException(`No event ${eventId}.`);
    if (result.failed.length > 0) throw new Error(result.failed[0]!.error);
    throw new BadRequestException(
      `Event ${eventId} was not replayed: only dead-lettered events that still hold their body can be.`,
    );
  }

  /** Bull Board's delivery cards link here: a delivery is shown on its event's page. */
  @Get('deliveries/:id')
  async delivery(@Param('id') id: string, @Res() res: Response): Promise<void> {
    const delivery = /^\d{1,19}$/.test(id) ? await this.deliveries.find(id) : null;
    if (!delivery) throw new NotFoundException(`No delivery ${id}.`);
    res.redirect(303, `${eventHref(delivery.eventId)}#forwarding`);
  }

  @Get('dead-letters')
  @Header('Content-Type', HTML)
  async deadLetters(@Query('replayed') replayed?: string): Promise<string> {
    const notice =
      replayed !== undefined && /^\d+$/.test(replayed)
        ? `Replayed ${replayed} event(s): they are waiting for the worker again.`
        : undefined;
    return send(deadLettersPage(await this.figures.deadLetterGroups(), notice));
  }

  @Get('dead-letters/replay')
  @Header('Content-Type', HTML)
  async dryRunGroup(@Query() query: Record<string, unknown>): Promise<string> {
    const key = groupKey(query);
    const { matched, more } = await this.replayGroup(key, true);
    return send(deadLetterReplayPage(key, matched, more));
  }

  @Post('dead-letters/replay')
  async replayGroupNow(
    @Query() query: Record<string, unknown>,
    @Req() req: AdminRequest,
    @Res() res: Response,
  ): Promise<void> {
    const key = groupKey(query);
    const { result } = await this.replayGroup(key, false);
    this.logger.log('admin replay dead-lettered (console)', {
      user: req.adminUser ?? null,
      ...key,
      replayed: result.replayed.length,
      failed: result.failed.length,
    });
    res.redirect(303, href('/dead-letters', { replayed: String(result.replayed.length) }));
  }

  @Get('sellers')
  @Header('Content-Type', HTML)
  async sellers(): Promise<string> {
    return send(sellersPage(await this.figures.sellers()));
  }

  @Get('signature-failures')
  @Header('Content-Type', HTML)
  async rejected(): Promise<string> {
    const [refused, unreadable] = await Promise.all([this.figures.refusedSignatures(), this.figures.invalidWebhooks()]);
    return send(rejectedPage(refused, unreadable));
  }

  private async findEvent(eventId: string) {
    const event = await this.events.find(eventId);
    if (!event) throw new NotFoundException(`No event ${eventId}.`);
    return event;
  }

  private replayGroup(key: GroupKey, dryRun: boolean) {
    return this.replays.replayMatching(
      { reasons: [key.reason], types: [key.type] },
      { ratePerSecond: GROUP_REPLAY_RATE, max: GROUP_REPLAY_MAX, dryRun },
    );
  }
}

function send(page: Html): string {
  return page.text;
}

/** The list's filters from the URL: known names only, blank form fields dropped. */
function filterValues(query: Record<string, unknown>): EventFilterValues {
  const values: EventFilterValues = {};
  for (const name of EVENT_FILTERS) {
    const v = query[name];
    if (typeof v === 'string' && v.trim() !== '') values[name] = v.trim();
  }
  return values;
}

function groupKey(query: Record<string, unknown>): GroupKey {
  const problems: string[] = [];
  const reason = single(query.reason, 'reason', problems);
  const type = single(query.type, 'type', problems);
  if (!reason || !type || problems.length > 0)
    throw new BadRequestException(
      'A dead-letter group is named by one reason and one type (open it from the dead letters page).',
    );
  return { reason, type };
}

/** The payload's data.id: the object the event is about. */
function objectIdOf(rawBody: string): string | null {
  try {
    const id = (JSON.parse(rawBody) as { data?: { id?: unknown } }).data?.id;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}
