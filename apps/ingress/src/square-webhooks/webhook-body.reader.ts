import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InFlightBudget } from './in-flight-budget.js';

export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

export type BodyRead =
  | { ok: true; body: Buffer }
  | { ok: false; status: 413; outcome: 'too_large'; message: string }
  | { ok: false; status: 503; outcome: 'overloaded'; message: string }
  /** The client went away, or the server's request timeout closed the connection: no one to answer. */
  | { ok: false; status: null; outcome: 'aborted' };

const TOO_LARGE = {
  ok: false,
  status: 413,
  outcome: 'too_large',
  message: `body exceeds ${MAX_WEBHOOK_BODY_BYTES} bytes`,
} as const;
const OVERLOADED = {
  ok: false,
  status: 503,
  outcome: 'overloaded',
  message: 'too many deliveries in progress; retry later',
} as const;

/**
 * Reads the raw body, byte for byte (the signature is computed over exactly these bytes), with two
 * bounds: 1 MiB per body (a Content-Length above it is refused before reading), and the bytes of all
 * bodies held at once (INGRESS_MAX_INFLIGHT_BODY_MIB), counted as they arrive — so a slow or idle
 * client holds only what it has sent, and cannot starve the others of the budget. What a body took
 * is given back when its answer is finished (or its connection closed).
 */
export function readWebhookBody(req: IncomingMessage, res: ServerResponse, budget: InFlightBudget): Promise<BodyRead> {
  const declared = Number(req.headers['content-length']);
  if (declared > MAX_WEBHOOK_BODY_BYTES) return Promise.resolve(TOO_LARGE);
  let taken = 0;
  res.once('close', () => budget.give(taken));
  return new Promise<BodyRead>((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (read: BodyRead) => {
      req.off('data', onData).off('end', onEnd).off('close', onClose);
      // What follows the refusal is not read: the answer closes the connection (see the route).
      if (!read.ok) req.pause();
      resolve(read);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_WEBHOOK_BODY_BYTES) return finish(TOO_LARGE);
      if (!budget.tryTake(chunk.length)) return finish(OVERLOADED);
      taken += chunk.length;
      chunks.push(chunk);
    };
    const onEnd = () => finish({ ok: true, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) });
    const onClose = () => finish({ ok: false, status: null, outcome: 'aborted' });
    req.on('data', onData).once('end', onEnd).once('close', onClose);
  });
}
