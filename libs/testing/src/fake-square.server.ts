import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

// A small stand-in for Square's API, for tests, benchmarks and local demos. It serves
// GET /v2/payments/{id} and GET /v2/refunds/{id} from an in-memory store, answers errors the way
// Square shapes them, and can be told to be slow or to fail:
//   PUT    /_fake/payments/{id}   body: a payment object (snake_case, as Square returns it)
//   PUT    /_fake/refunds/{id}    body: a refund object
//   POST   /_fake/faults          body: {"id"?: "...", "status": 429|500|404|…, "times"?: n, "retryAfterSeconds"?: n}
//   PUT    /_fake/latency         body: {"ms": n}
//   GET    /_fake/requests        how many API requests each object id received
//   POST   /_fake/reset           forget faults, latency and counts (objects stay)
// The same controls exist as methods for tests running it in-process.

export type Resource = 'payments' | 'refunds';
type JsonObject = Record<string, unknown>;

export interface Fault {
  /** Object id the fault applies to; every id when absent. */
  id?: string;
  status: number;
  /** How many matching requests fail; forever when absent. */
  times?: number;
  retryAfterSeconds?: number;
}

export interface FakeSquareOptions {
  /** Answer unknown ids with a generated COMPLETED object instead of 404 (load tests). */
  synthesize?: boolean;
  latencyMs?: number;
  /** When set, requests must carry this bearer token. */
  accessToken?: string;
}

const ERRORS: Record<number, [category: string, code: string]> = {
  400: ['INVALID_REQUEST_ERROR', 'BAD_REQUEST'],
  401: ['AUTHENTICATION_ERROR', 'UNAUTHORIZED'],
  403: ['AUTHENTICATION_ERROR', 'FORBIDDEN'],
  404: ['INVALID_REQUEST_ERROR', 'NOT_FOUND'],
  408: ['API_ERROR', 'REQUEST_TIMEOUT'],
  429: ['RATE_LIMIT_ERROR', 'RATE_LIMITED'],
  500: ['API_ERROR', 'INTERNAL_SERVER_ERROR'],
  503: ['API_ERROR', 'SERVICE_UNAVAILABLE'],
};

export class FakeSquareServer {
  private readonly store: Record<Resource, Map<string, JsonObject>> = { payments: new Map(), refunds: new Map() };
  private faults: Array<Fault & { remaining: number }> = [];
  private readonly requests = new Map<string, number>();
  /** Highest `version` answered with 200 per object id: what a correct consumer must end up storing. */
  readonly maxServedVersion = new Map<string, number>();
  private server: Server | undefined;
  latencyMs: number;
  /** Base URL once listening, e.g. http://127.0.0.1:3010 */
  url = '';

  constructor(private readonly options: FakeSquareOptions = {}) {
    this.latencyMs = options.latencyMs ?? 0;
  }

  put(resource: Resource, object: JsonObject): void {
    this.store[resource].set(String(object.id), object);
  }

  fail(fault: Fault): void {
    this.faults.push({ ...fault, remaining: fault.times ?? Number.POSITIVE_INFINITY });
  }

  reset(): void {
    this.faults = [];
    this.latencyMs = this.options.latencyMs ?? 0;
    this.requests.clear();
  }

  requestCount(id?: string): number {
    if (id !== undefined) return this.requests.get(id) ?? 0;
    return [...this.requests.values()].reduce((a, b) => a + b, 0);
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => send(res, 500, { errors: [{ category: 'API_ERROR', code: 'INTERNAL_SERVER_ERROR', detail: String(err) }] }));
    });
    this.server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    const address = this.server.address() as { port: number };
    this.url = `http://${host}:${address.port}`;
    return this.url;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server!.close(resolve));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] === '_fake') return this.control(req, res, parts.slice(1));

    const [version, resource, id] = parts;
    if (req.method !== 'GET' || version !== 'v2' || (resource !== 'payments' && resource !== 'refunds') || !id || parts.length !== 3) {
      return squareError(res, 404, `no route ${req.method} ${url.pathname}`);
    }
    this.requests.set(id, (this.requests.get(id) ?? 0) + 1);
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    if (this.options.accessToken && req.headers.authorization !== `Bearer ${this.options.accessToken}`) {
      return squareError(res, 401, 'This request could not be authorized.');
    }
    const fault = this.faults.find((f) => (f.id === undefined || f.id === id) && f.remaining > 0);
    if (fault) {
      fault.remaining--;
      if (fault.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(fault.retryAfterSeconds));
      return squareError(res, fault.status, `injected ${fault.status}`);
    }
    const object = this.store[resource].get(id) ?? (this.options.synthesize ? synthesize(resource, id) : undefined);
    if (!object) return squareError(res, 404, `Could not find ${resource === 'payments' ? 'payment' : 'refund'} with id: ${id}`);
    if (typeof object.version === 'number') {
      this.maxServedVersion.set(id, Math.max(object.version, this.maxServedVersion.get(id) ?? object.version));
    }
    send(res, 200, { [resource === 'payments' ? 'payment' : 'refund']: object });
  }

  private async control(req: IncomingMessage, res: ServerResponse, parts: string[]): Promise<void> {
    const [what, id] = parts;
    if (req.method === 'PUT' && (what === 'payments' || what === 'refunds') && id) {
      this.put(what, { ...(await readJson(req)), id });
    } else if (req.method === 'POST' && what === 'faults') {
      this.fail((await readJson(req)) as unknown as Fault);
    } else if (req.method === 'PUT' && what === 'latency') {
      this.latencyMs = Number((await readJson(req)).ms ?? 0);
    } else if (req.method === 'POST' && what === 'reset') {
      this.reset();
    } else if (req.method === 'GET' && what === 'requests') {
      return send(res, 200, Object.fromEntries(this.requests));
    } else {
      return squareError(res, 404, 'unknown control route');
    }
    send(res, 200, { ok: true });
  }
}

function synthesize(resource: Resource, id: string): JsonObject {
  const now = new Date().toISOString();
  const money = { amount: 1000, currency: 'USD' };
  return resource === 'payments'
    ? { id, status: 'COMPLETED', amount_money: money, total_money: money, location_id: 'LFAKE', created_at: now, updated_at: now, version: 1 }
    : { id, payment_id: id.split('_')[0], status: 'COMPLETED', amount_money: money, location_id: 'LFAKE', created_at: now, updated_at: now, version: 1 };
}

function squareError(res: ServerResponse, status: number, detail: string): void {
  const [category, code] = ERRORS[status] ?? ['API_ERROR', 'UNKNOWN'];
  send(res, status, { errors: [{ category, code, detail }] });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<JsonObject> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as JsonObject) : {};
}
