export { PermanentError, defineHandler } from './handler.js';
export type { HandlerContext, HandlerEvent, HandlerLogger, HandlerSqlResult, JsonObject, SquareEventHandler } from './handler.js';
