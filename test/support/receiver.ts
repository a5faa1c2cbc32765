import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** A request as the receiver saw it; `verified`: the standardwebhooks package accepted it. */
export interface Received {
  webhookId: string;
  verified: boolean;
  body: { type: string; timestamp: string; data: Record<string, unknown> & { event_id: string } };
  at: number;
  /** 1 for the first request with this webhook-id, 2 for the next… */
  nth: number;
  /** The request's headers, lowercase names. */
  headers: Record<string, string>;
}

/** What to answer: a status, after an optional delay; `hold`: never answer. */
export type Answer = { status: number; delayMs?: number; headers?: Record<string, string> } | 'hold';

/**
 * A team's service in a test: verifies every request with the `standardwebhooks` package (the
 * reference implementation a receiver would use), keeps what it got, answers as `answer` says.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  answer: (r: Received) => Answer = () => ({ status: 200 });
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly webhook: Webhook;
  port = 0;

  constructor(secret: string) {
    this.webhook = new Webhook(secret);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/square`;
  }

  /** Listens (again, on the same port after `close`). */
  async listen(): Promise<void> {
    const server = createServer((req, res) => {
      void readBody(req).then(async (raw) => {
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
        let verified = true;
        try {
          this.webhook.verify(raw, headers);
        } catch {
          verified = false;
        }
        const webhookId = headers['webhook-id'] ?? '';
        const received: Received = {
          webhookId,
          verified,
          headers,
          body: JSON.parse(raw),
          at: Date.now(),
          nth: this.received.filter((r) => r.webhookId === webhookId).length + 1,
        };
        this.received.push(received);
        const answer = this.answer(received);
        if (answer === 'hold') return;
        if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs).unref());
        if (res.destroyed) return;
        res.writeHead(answer.status, answer.headers).end();
      });
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** Stops answering at all: connections are refused until `listen` again. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    if (server) await new Promise((resolve) => server.close(resolve));
    this.server = undefined;
  }

  /** What arrived for an event. */
  of(eventId: string): Received[] {
    return this.received.filter((r) => r.body.data.event_id === eventId);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
