import {
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
import { DESTINATIONS, ForwardingConfig, type Destination } from '@app/config';
import { DestinationControlUseCase, type DestinationStatus } from '@app/events';
import type { AdminRequest } from '../auth/basic-auth.js';
import { ConsoleErrorFilter } from './console-error.filter.js';
import {
  DESTINATION_ACTIONS,
  destinationConfirmPage,
  destinationsPage,
  type DestinationAction,
} from './destinations.page.js';
import { href } from './html.js';

/**
 * The console's Destinations page: DestinationControlUseCase's list, and its pause, resume and
 * retry-now behind a confirmation page each (same-origin form POSTs, answered with a redirect).
 */
@Controller('destinations')
@UseFilters(ConsoleErrorFilter)
export class ConsoleDestinationsController {
  private readonly logger = new Logger('Console');

  constructor(
    private readonly control: DestinationControlUseCase,
    private readonly forwarding: ForwardingConfig,
    @Inject(DESTINATIONS) private readonly destinations: readonly Destination[],
  ) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  async list(@Query('done') done?: string, @Query('name') name?: string): Promise<string> {
    const known = Object.values(DESTINATION_ACTIONS).find((a) => a.done === done);
    const notice = known && name ? `${name}: ${known.done}.` : undefined;
    const problem = this.forwarding.destinationsFile
      ? undefined
      : 'FORWARD_DESTINATIONS_FILE is not set for the admin app: only destinations with pending deliveries are listed.';
    return destinationsPage(await this.control.list(this.names()), problem, notice).text;
  }

  @Get(':name/:action')
  @Header('Content-Type', 'text/html; charset=utf-8')
  async confirm(@Param('name') name: string, @Param('action') action: string): Promise<string> {
    return destinationConfirmPage(await this.find(name), actionOf(action)).text;
  }

  @Post(':name/:action')
  async act(
    @Param('name') name: string,
    @Param('action') action: string,
    @Req() req: AdminRequest,
    @Res() res: Response,
  ): Promise<void> {
    const what = actionOf(action);
    await this.find(name);
    const by = `console:${req.adminUser ?? 'anonymous'}`;
    if (what === 'pause') await this.control.pause(name, by, null);
    else if (what === 'resume') await this.control.resume(name, by);
    else await this.control.retryNow({ destinations: [name] });
    this.logger.log(`admin ${what} destination (console)`, { user: req.adminUser ?? null, destination: name });
    res.redirect(303, href('/destinations', { done: DESTINATION_ACTIONS[what].done, name }));
  }

  private names(): string[] {
    return this.destinations.map((d) => d.name);
  }

  /** Only a configured destination is acted on (a removed one is shown, not changed). */
  private async find(name: string): Promise<DestinationStatus> {
    const found = this.names().includes(name)
      ? (await this.control.list(this.names())).find((d) => d.name === name)
      : undefined;
    if (!found) throw new NotFoundException(`No destination "${name}" in FORWARD_DESTINATIONS_FILE.`);
    return found;
  }
}

function actionOf(action: string): DestinationAction {
  if (!Object.hasOwn(DESTINATION_ACTIONS, action))
    throw new NotFoundException(`No action "${action}": pause, resume or retry-now.`);
  return action as DestinationAction;
}
