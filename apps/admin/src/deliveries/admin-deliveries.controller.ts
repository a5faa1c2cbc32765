import {
  ConflictException,
  Controller,
  Get,
  HttpCode,
  Inject,
  Logger,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import { DESTINATIONS, type Destination } from '@app/config';
import { DeliveryQueryRepository, type DeliveryDetail, type DeliverySummary } from '@app/database';
import { ReplayDeliveriesUseCase, parseListDeliveriesQuery, type DeliveryReplayResult } from '@app/events';
import type { AdminRequest } from '../auth/basic-auth.js';
import { ADMIN_API_PATH } from '../events/admin-events.controller.js';

export interface DeliveryListResponse {
  deliveries: DeliverySummary[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** Forwarding for people: list and inspect deliveries, replay dead-lettered ones (ReplayDeliveriesUseCase). */
@Controller(ADMIN_API_PATH)
export class AdminDeliveriesController {
  private readonly logger = new Logger(AdminDeliveriesController.name);

  constructor(
    private readonly deliveries: DeliveryQueryRepository,
    private readonly replays: ReplayDeliveriesUseCase,
    @Inject(DESTINATIONS) private readonly destinations: readonly Destination[],
  ) {}

  @Get('deliveries')
  async list(@Query() query: Record<string, unknown>): Promise<DeliveryListResponse> {
    const { filter, limit, before } = parseListDeliveriesQuery(query);
    const page = await this.deliveries.list(filter, limit, before);
    return { deliveries: page.deliveries, nextCursor: page.next };
  }

  @Get('deliveries/:id')
  async show(@Param('id') id: string): Promise<DeliveryDetail> {
    const delivery = await this.deliveries.find(id);
    if (!delivery) throw new NotFoundException(`no delivery ${id}`);
    return delivery;
  }

  /** 200 replayed (the worker's relay enqueues it); 404; 409 not dead-lettered, or its destination is gone. */
  @Post('deliveries/:id/replay')
  @HttpCode(200)
  async replayOne(
    @Param('id') id: string,
    @Req() req: AdminRequest,
  ): Promise<{ deliveryId: string; result: 'replayed' }> {
    const delivery = await this.deliveries.find(id);
    if (!delivery) throw new NotFoundException(`no delivery ${id}`);
    if (!this.configured(delivery.destination)) {
      throw new ConflictException(
        `delivery ${id} is to "${delivery.destination}", which FORWARD_DESTINATIONS_FILE no longer lists`,
      );
    }
    const result = await this.replays.replay([id]);
    this.audit(req, 'replay delivery', result, { deliveryId: id });
    if (!result.replayed.includes(id))
      throw new ConflictException(
        `delivery ${id} is ${delivery.status}; only dead_lettered deliveries can be replayed`,
      );
    return { deliveryId: id, result: 'replayed' };
  }

  /** Every dead-lettered delivery of a destination (up to 10 000 per call, oldest first). */
  @Post('destinations/:name/replay')
  @HttpCode(200)
  async replayDestination(@Param('name') name: string, @Req() req: AdminRequest): Promise<DeliveryReplayResult> {
    if (!this.configured(name)) throw new NotFoundException(`no destination "${name}" in FORWARD_DESTINATIONS_FILE`);
    const result = await this.replays.replayDestination(name);
    this.audit(req, 'replay destination', result, { destination: name });
    return result;
  }

  private configured(name: string): boolean {
    return this.destinations.some((d) => d.name === name);
  }

  private audit(req: AdminRequest, action: string, result: DeliveryReplayResult, about: Record<string, string>): void {
    this.logger.log(`admin ${action}`, {
      user: req.adminUser ?? null,
      ...about,
      replayed: result.replayed.length,
      skipped: result.skipped.length,
    });
  }
}
