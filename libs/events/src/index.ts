export { EventsModule } from './events.module.js';
export { ReplayEventsUseCase } from './replay-events.use-case.js';
export type { ReplayResult } from './replay-events.use-case.js';
