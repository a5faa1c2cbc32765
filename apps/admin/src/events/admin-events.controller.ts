import {
  ConflictException,
  Controller,
  Get,
  HttpCode,
  Logger,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import { DependencyUnavailableException } from '@app/http';
import { EventQueryRepository, type EventDetail, type EventSummary } from '@app/database';
import {
  ReplayEventsUseCase,
  encodeCursor,
  parseListEventsQuery,
  parseReplayQuery,
  type ReplayResult,
} from '@app/events';
import type { AdminRequest } from '../auth/basic-auth.js';

export const ADMIN_API_PATH = 'admin/api';

// One HTTP call replays at most this many, at this rate (two seconds): a long replay is the CLI's.
const ADMIN_REPLAY_MAX = 1000;
const ADMIN_REPLAY_RATE = 500;

export interface EventListResponse {
  events: EventSummary[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface ReplayOneResponse {
  eventId: string;
  result: 'replayed';
}

/** The inbox for people: list, inspect, and replay dead-lettered events (through ReplayEventsUseCase). */
@Controller(ADMIN_API_PATH)
export class AdminEventsController {
  private readonly logger = new Logger(AdminEventsController.name);

  constructor(
    private readonly events: EventQueryRepository,
    private readonly replays: ReplayEventsUseCase,
  ) {}

  @Get('events')
  async list(@Query() query: Record<string, unknown>): Promise<EventListResponse> {
    const { filter, limit, after } = parseListEventsQuery(query);
    const page = await this.events.list(filter, limit, after);
    return { events: page.events, nextCursor: page.next ? encodeCursor(page.next) : null };
  }

  @Get('events/:eventId')
  async show(@Param('eventId') eventId: string): Promise<EventDetail> {
    const event = await this.events.find(eventId);
    if (!event) throw new NotFoundException(`no event ${eventId}`);
    return event;
  }

  /** 200 replayed (the worker's relay enqueues it); 404; 409 not dead-lettered; 503 Postgres failed. */
  @Post('events/:eventId/replay')
  @HttpCode(200)
  async replayOne(@Param('eventId') eventId: string, @Req() req: AdminRequest): Promise<ReplayOneResponse> {
    const result = await this.replays.replay([eventId]);
    this.audit(req, 'replay', result, eventId);
    if (result.replayed.includes(eventId)) return { eventId, result: 'replayed' };
    if (result.failed.length > 0) throw new DependencyUnavailableException('database');
    if (result.notFound.length > 0) throw new NotFoundException(`no event ${eventId}`);
    const event = await this.events.find(eventId);
    if (event?.status === 'dead_lettered')
      throw new ConflictException(`event ${eventId}'s body was purged by retention; it can no longer be replayed`);
    throw new ConflictException(
      `event ${eventId} is ${event?.status ?? 'gone'}; only dead_lettered events can be replayed`,
    );
  }

  /**
   * The dead-lettered events the query matches (type, merchant, receivedFrom, receivedTo; none:
   * all), oldest first, up to 1 000 per call at 500 a second (`more`: call again); `dryRun=true`
   * counts them. Larger replays: `npm run events -- replay --status dead_lettered …`, at a rate.
   */
  @Post('dead-letters/replay')
  @HttpCode(200)
  async replayDeadLettered(
    @Query() query: Record<string, unknown>,
    @Req() req: AdminRequest,
  ): Promise<ReplayResult & { matched: number; more: boolean }> {
    const { filter, dryRun } = parseReplayQuery(query);
    const { matched, result, more } = await this.replays.replayMatching(filter, {
      ratePerSecond: ADMIN_REPLAY_RATE,
      max: ADMIN_REPLAY_MAX,
      dryRun,
    });
    if (!dryRun) this.audit(req, 'replay dead-lettered', result);
    return { ...result, matched, more };
  }

  private audit(req: AdminRequest, action: string, result: ReplayResult, eventId?: string): void {
    this.logger.log(`admin ${action}`, {
      user: req.adminUser ?? null,
      eventId,
      replayed: result.replayed.length,
      skipped: result.skipped.length,
      failed: result.failed.length,
    });
  }
}
