import { DynamicModule, Module } from '@nestjs/common';
import type { LoadedHandler } from '@app/handlers';
import { ForwardDestinations } from './forwarding/forward-destinations.js';
import { TEAM_HANDLERS } from './handlers/handler-registry.js';

/**
 * What worker.app.ts reads before the app is built (so that a bad SQUARE_EVENT_HANDLERS or
 * destinations file stops the start with one configuration error, before anything connects): the
 * team's handler modules and the forwarding destinations. Global, as the configuration is: the
 * feature modules read them as they read a config section.
 */
@Module({})
export class WorkerInputsModule {
  static forRoot(teamHandlers: readonly LoadedHandler[], destinations: ForwardDestinations): DynamicModule {
    const providers = [
      { provide: TEAM_HANDLERS, useValue: teamHandlers },
      { provide: ForwardDestinations, useValue: destinations },
    ];
    return { module: WorkerInputsModule, global: true, providers, exports: providers };
  }
}
