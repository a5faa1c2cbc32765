export { PermanentError, defineHandler } from './handler.js';
export type {
  HandlerContext,
  HandlerEvent,
  HandlerLogger,
  HandlerSqlResult,
  JsonObject,
  SquareEventHandler,
} from './handler.js';
export { loadHandlerModules, runTeamHandler } from './handler-modules.js';
export type { LoadedHandler } from './handler-modules.js';
export { deepFreeze } from './deep-freeze.js';
