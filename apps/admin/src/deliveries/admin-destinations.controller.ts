import {
  BadRequestException,
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
import { DESTINATIONS, ForwardingConfig, type Destination } from '@app/config';
import { DestinationControlUseCase, type DestinationStatus, type RetryNowResult } from '@app/events';
import type { AdminRequest } from '../auth/basic-auth.js';
import { ADMIN_API_PATH } from '../events/admin-events.controller.js';

export interface DestinationListResponse {
  destinations: DestinationStatus[];
  /** Why none are listed as configured, when the file is not set. */
  problem?: string;
}

/** Forwarding destinations for people: their state, pause, resume, retry pending deliveries now. */
@Controller(ADMIN_API_PATH)
export class AdminDestinationsController {
  private readonly logger = new Logger(AdminDestinationsController.name);

  constructor(
    private readonly control: DestinationControlUseCase,
    private readonly forwarding: ForwardingConfig,
    @Inject(DESTINATIONS) private readonly destinations: readonly Destination[],
  ) {}

  @Get('destinations')
  async list(): Promise<DestinationListResponse> {
    const destinations = await this.control.list(this.names());
    // Set inline on the worker's start but not for this app: say so rather than show nothing.
    return this.forwarding.destinationsFile
      ? { destinations }
      : { destinations, problem: 'FORWARD_DESTINATIONS_FILE is not set for the admin app' };
  }

  @Post('destinations/:name/pause')
  @HttpCode(200)
  async pause(@Param('name') name: string, @Req() req: AdminRequest): Promise<{ destination: string; state: string }> {
    this.configured(name);
    const done = await this.control.pause(name, `admin:${req.adminUser ?? 'anonymous'}`, null);
    if (done.result === 'not_found') throw new NotFoundException(`no destination "${name}"`);
    return { destination: name, state: done.status.state };
  }

  @Post('destinations/:name/resume')
  @HttpCode(200)
  async resume(@Param('name') name: string, @Req() req: AdminRequest): Promise<{ destination: string; state: string }> {
    this.configured(name);
    const done = await this.control.resume(name, `admin:${req.adminUser ?? 'anonymous'}`);
    if (done.result === 'not_found') throw new NotFoundException(`no destination "${name}"`);
    return { destination: name, state: done.status.state };
  }

  /** ?destination=<name> or ?id=<deliveryId>&id=…; neither: every configured destination. */
  @Post('deliveries/retry-now')
  @HttpCode(200)
  async retryNow(
    @Query('destination') destination: unknown,
    @Query('id') id: string | string[] | undefined,
    @Req() req: AdminRequest,
  ): Promise<RetryNowResult> {
    // Express 5's (simple) query parser gives a string, or an array of them when the key repeats.
    const ids = id === undefined ? [] : Array.isArray(id) ? id : [id];
    if (destination !== undefined && (typeof destination !== 'string' || ids.length > 0))
      throw new BadRequestException('give one destination, or delivery ids, not both');
    if (typeof destination === 'string') this.configured(destination);
    const result = await this.control.retryNow(
      ids.length > 0 ? { ids } : { destinations: typeof destination === 'string' ? [destination] : this.names() },
    );
    this.logger.log('admin retry-now', {
      user: req.adminUser ?? null,
      destination: destination ?? null,
      ids: ids.length,
      due: result.due,
    });
    return result;
  }

  private names(): string[] {
    return this.destinations.map((d) => d.name);
  }

  private configured(name: string): void {
    if (!this.names().includes(name))
      throw new NotFoundException(`no destination "${name}" in FORWARD_DESTINATIONS_FILE`);
  }
}
