import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '@app/config';
import type { HandlerContext, SquareEventHandler } from './handler.js';
import { errorMessage } from '@app/observability';
import { eventTypePatternProblem } from '@app/square';

const SHAPE = '{ name, eventTypes, handle(ctx) }';

/** A team handler and the file it came from (resolved), for the start's log. */
export interface LoadedHandler {
  handler: SquareEventHandler;
  file: string;
}

/**
 * Imports the team's handler modules named by SQUARE_EVENT_HANDLERS (absolute, or relative to the
 * working directory): ES modules whose default export is a handler or an array of handlers. Every
 * problem is collected — a missing file, a module that throws on import, an export of the wrong
 * shape, two handlers with one name — and startup fails once, naming the variable.
 */
export async function loadHandlerModules(
  paths: readonly string[],
  reservedNames: readonly string[],
  cwd = process.cwd(),
): Promise<LoadedHandler[]> {
  const problems: string[] = [];
  const handlers: Array<LoadedHandler & { from: string }> = [];
  for (const path of paths) {
    const file = resolve(cwd, path);
    const problem = (what: string) => problems.push(`SQUARE_EVENT_HANDLERS: ${path} ${what}`);
    if (!existsSync(file)) {
      problem(`does not exist${file !== path ? ` (looked for ${file})` : ''}`);
      continue;
    }
    let module: { default?: unknown };
    try {
      module = (await import(pathToFileURL(file).href)) as { default?: unknown };
    } catch (err) {
      problem(`throws on import: ${errorMessage(err)}`);
      continue;
    }
    if (module.default === undefined) {
      problem(`has no default export (export default a handler ${SHAPE}, or an array of them)`);
      continue;
    }
    const exported = Array.isArray(module.default) ? module.default : [module.default];
    exported.forEach((candidate: unknown, i) => {
      const shape = shapeProblem(candidate);
      if (shape) problem(`${Array.isArray(module.default) ? `[${i}] ` : ''}${shape}`);
      else handlers.push({ handler: candidate as SquareEventHandler, file, from: path });
    });
  }
  const seen = new Map<string, string>(reservedNames.map((name) => [name, 'the pipeline itself']));
  for (const { handler, from } of handlers) {
    const first = seen.get(handler.name);
    if (first !== undefined)
      problems.push(`SQUARE_EVENT_HANDLERS: two handlers are named "${handler.name}" (${first} and ${from})`);
    else seen.set(handler.name, from);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return handlers.map(({ handler, file }) => ({ handler, file }));
}

function shapeProblem(candidate: unknown): string | undefined {
  if (typeof candidate !== 'object' || candidate === null)
    return `exports ${candidate === null ? 'null' : typeof candidate}, not a handler ${SHAPE}`;
  const { name, eventTypes, handle } = candidate as Record<string, unknown>;
  if (typeof name !== 'string' || name.trim() === '')
    return `exports a handler without a name (a non-empty string; ${SHAPE})`;
  if (!Array.isArray(eventTypes) || eventTypes.length === 0)
    return `exports handler "${name}" without eventTypes (a non-empty array, e.g. ["payment.updated"], ["payment.*"] or ["*"])`;
  const bad = eventTypes.map(eventTypePatternProblem).find(Boolean);
  if (bad) return `exports handler "${name}" with eventTypes ${bad}`;
  if (typeof handle !== 'function') return `exports handler "${name}" without a handle(ctx) function`;
  return undefined;
}

/**
 * Runs one of the team's handlers with the documented context only, frozen: event, object, sql,
 * attempt, logger (the worker's apply path and `events rerun` alike). A statement of its that
 * failed (refused, or failed in Postgres, which aborts the transaction) fails it even when it
 * caught the error and went on: nothing of its event can commit then.
 */
export async function runTeamHandler(
  handler: SquareEventHandler,
  { event, object, sql, attempt, logger }: HandlerContext,
): Promise<void> {
  let failed: { error: unknown } | undefined;
  const guarded = async <R>(text: string, values?: readonly unknown[]) => {
    try {
      return await sql<R>(text, values);
    } catch (error) {
      failed ??= { error };
      throw error;
    }
  };
  await handler.handle(Object.freeze({ event, object, sql: guarded, attempt, logger: Object.freeze(logger) }));
  if (failed) throw failed.error;
}
