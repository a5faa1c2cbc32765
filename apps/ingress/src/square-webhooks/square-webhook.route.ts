import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { IngressConfig, LogConfig, WebhookConfig } from '@app/config';
import { RejectedDeliveriesRepository } from '@app/database';
import { RequestLog, RetryLaterException, errorBody } from '@app/http';
import { ThrottledLog, errorMessage } from '@app/observability';
import { traceWebhookRequest } from '@app/tracing';
import { CaptureWebhookUseCase } from './capture-webhook.use-case.js';
import { InFlightBudget } from './in-flight-budget.js';
import { checkSquareSignature, squareSignatureHeader } from './square-signature.check.js';
import { type SignatureRejection, explainRejection } from './signature-rejection.js';
import { readWebhookBody } from './webhook-body.reader.js';
import { type WebhookOutcome, recordWebhookTelemetry } from './webhook-telemetry.js';

export const WEBHOOK_PATH = '/webhooks/square';

// Refusals of unverified requests are anyone's to cause: a few lines a minute say what is refused
// and from where, a count says how many more (a flood of forgeries must not flood the logs). The
// metrics count every one.
const REJECTION_LOG = { limit: 10, intervalMs: 60_000 };
const REJECTED: ReadonlySet<WebhookOutcome> = new Set([
  'bad_signature',
  'method_not_allowed',
  'unsupported_media_type',
  'too_large',
]);

interface Answer {
  status: number;
  body: object;
  outcome: WebhookOutcome;
  eventId?: string;
  headers?: Record<string, string>;
  /** Why the signature was refused, for the log (never the body, the signature or a key). */
  rejection?: { reason: string; bytes?: number };
  /** The delivery itself when its body was read: diagnosed and kept when the rejection is logged. */
  refused?: SignatureRejection;
}

const error = (status: number, outcome: WebhookOutcome, message: string, headers?: Record<string, string>): Answer => ({
  status,
  outcome,
  body: errorBody(status, message),
  headers,
});

const rejected = (rejection: Answer['rejection'], refused?: SignatureRejection): Answer => ({
  ...error(401, 'bad_signature', 'invalid Square signature'),
  rejection,
  refused,
});

/**
 * POST /webhooks/square, served straight from Node's HTTP server in front of Express and Nest
 * (IngressHttpAdapter): request → signature header → body (bounded) → signature → CaptureWebhookUseCase
 * → answer.
 * Why not a Nest controller: Nest's and Express' routing cost ~200 µs of CPU per request on this
 * machine (hello-world 4 300 req/s through Nest, 7 100 through Express, 42 000 on plain Node), more
 * than everything the ack path itself does; the same use case behind this route went from 1 700 to
 * 3 700 req/s (docs/BENCHMARKS.md). Every other route (health, metrics, 404s) stays on Nest.
 */
@Injectable()
export class SquareWebhookRoute implements OnApplicationShutdown {
  private readonly logger = new Logger(SquareWebhookRoute.name);
  private readonly requestLog: RequestLog;
  private readonly budget: InFlightBudget;
  private readonly rejections = new ThrottledLog({
    ...REJECTION_LOG,
    suppressed: (count, intervalMs) =>
      this.logger.warn(`webhook rejections not logged: ${count} in the last ${intervalMs / 1000} s`, {
        suppressed: count,
      }),
  });

  constructor(
    private readonly capture: CaptureWebhookUseCase,
    private readonly rejected: RejectedDeliveriesRepository,
    private readonly webhook: WebhookConfig,
    ingress: IngressConfig,
    log: LogConfig,
  ) {
    this.budget = new InFlightBudget(ingress.maxInFlightBodyBytes);
    this.requestLog = new RequestLog(new Logger('HTTP'), log);
  }

  onApplicationShutdown(): void {
    this.rejections.flush();
  }

  /** Body bytes held right now, across requests (what INGRESS_MAX_INFLIGHT_BODY_MIB bounds). */
  get bytesHeld(): number {
    return this.budget.inUse;
  }

  /** The path as Express would have matched it: any letter case, an optional trailing slash, any query. */
  matches(req: IncomingMessage): boolean {
    const url = req.url ?? '';
    const end = url.indexOf('?');
    const path = (end < 0 ? url : url.slice(0, end)).toLowerCase();
    return path === WEBHOOK_PATH || path === `${WEBHOOK_PATH}/`;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedAt = process.hrtime.bigint();
    // The answer, its metrics and its log line inside the request's span (tracing on): the line
    // carries its trace_id and span_id.
    await traceWebhookRequest(
      req.method ?? '',
      WEBHOOK_PATH,
      req.headers,
      async () => {
        const answer = await this.answer(req, res).catch((err: unknown) => {
          this.logger.error('unhandled error', { error: errorMessage(err), stack: (err as Error)?.stack });
          return error(500, 'error', 'Internal server error');
        });
        this.finish(req, res, answer, startedAt);
        return answer;
      },
      (a) => a?.status,
    );
  }

  /** Sends the answer (when there is someone to send it to), counts it and logs it. */
  private finish(req: IncomingMessage, res: ServerResponse, answer: Answer | undefined, startedAt: bigint): void {
    if (answer) send(res, answer);
    const status = answer?.status ?? 0;
    recordWebhookTelemetry(
      answer?.outcome ?? 'aborted',
      status,
      req.headers,
      Number(process.hrtime.bigint() - startedAt) / 1e9,
    );
    if (answer && REJECTED.has(answer.outcome) && !this.rejections.allow()) return;
    if (answer?.rejection) this.logRejection(answer.rejection, answer.refused, req.socket.remoteAddress);
    this.requestLog.write({
      method: req.method ?? '',
      path: WEBHOOK_PATH,
      status,
      startedAt,
      eventId: answer?.eventId,
      outcome: answer?.outcome ?? 'aborted',
    });
  }

  /**
   * The log line says what would have matched and the variable to change; the delivery is kept (the
   * last REJECTED_KEPT) for `square verify --last`. After the answer, and only for the logged ones.
   */
  private logRejection(
    rejection: NonNullable<Answer['rejection']>,
    refused: SignatureRejection | undefined,
    remoteAddress: string | undefined,
  ): void {
    if (refused === undefined) {
      this.logger.warn('webhook rejected: invalid signature', { ...rejection, remoteAddress });
      return;
    }
    const explanation = explainRejection(refused, this.webhook);
    this.logger.warn(`webhook rejected: invalid signature; ${explanation}`, { ...rejection, remoteAddress });
    const kept = {
      notificationUrl: this.webhook.notificationUrl,
      signatureAlgorithm: refused.header.algorithm,
      signature: refused.header.signature,
      rawBody: refused.body,
      diagnosis: explanation,
      remoteAddress: remoteAddress ?? null,
    };
    this.rejected
      .keep(kept)
      .catch((err: unknown) => this.logger.warn('the rejected delivery was not kept', { error: errorMessage(err) }));
  }

  /** undefined when there is no one to answer (the client went away, or its request timed out). */
  private async answer(req: IncomingMessage, res: ServerResponse): Promise<Answer | undefined> {
    if (req.method !== 'POST') return error(405, 'method_not_allowed', 'only POST is allowed here', { allow: 'POST' });
    if (!isJsonContentType(req.headers['content-type']))
      return error(415, 'unsupported_media_type', 'Content-Type must be application/json');
    const encoding = req.headers['content-encoding']?.trim().toLowerCase();
    if (encoding && encoding !== 'identity')
      return error(415, 'unsupported_media_type', 'Content-Encoding is not supported');

    // Headers first: a request no key could match is refused before its body is read.
    const header = squareSignatureHeader(req.headers, this.webhook);
    if (!header.ok) return rejected({ reason: header.reason });
    const read = await readWebhookBody(req, res, this.budget);
    if (!read.ok) {
      if (read.status === null) return undefined;
      return error(read.status, read.outcome, read.message, read.status === 503 ? { 'retry-after': '5' } : undefined);
    }
    const signature = checkSquareSignature(header, read.body, this.webhook);
    if (!signature.ok)
      return rejected({ reason: signature.reason, bytes: read.body.length }, { header, body: read.body });
    try {
      const result = await this.capture.execute(read.body, req.headers, signature.algorithm);
      if (result.status === 'invalid') return error(400, 'bad_request', result.reason);
      return { status: 200, body: result, outcome: result.status, eventId: result.eventId };
    } catch (err) {
      if (!(err instanceof RetryLaterException)) throw err;
      return error(503, 'unavailable', err.message, { 'retry-after': String(err.retryAfterSeconds) });
    }
  }
}

function send(res: ServerResponse, answer: Answer): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(answer.body);
  const headers: Record<string, string | number> = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...answer.headers,
  };
  // A body we refused before reading it all must not be parsed as the next request.
  if (!res.req.readableEnded) headers.connection = 'close';
  res.writeHead(answer.status, headers);
  res.end(text);
}

function isJsonContentType(header: string | undefined): boolean {
  return header?.split(';')[0]?.trim().toLowerCase() === 'application/json';
}
