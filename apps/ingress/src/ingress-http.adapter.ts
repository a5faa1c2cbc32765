import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { ExpressAdapter } from '@nestjs/platform-express';

/** A route served before Express sees the request (the webhook route). */
export interface FrontRoute {
  matches(req: IncomingMessage): boolean;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

// How often Node looks for requests past their timeout. Its default (30 s) let a request live 30 s
// beyond the bound; a check per second costs one pass over the open connections.
const TIMEOUT_CHECK_MS = 1000;

/**
 * Nest's Express adapter with an HTTP server of our own: a bound on how long a request may take to
 * arrive, headers and body (INGRESS_REQUEST_TIMEOUT_MS; Node's defaults are 60 s for headers and
 * 300 s in all), enforced within a second; and a front route answered without Express' or Nest's
 * routing. Nest still listens and closes this server as its own.
 */
export class IngressHttpAdapter extends ExpressAdapter {
  private front: FrontRoute | undefined;

  constructor(private readonly requestTimeoutMs: number) {
    super();
  }

  serveFirst(route: FrontRoute): void {
    this.front = route;
  }

  override initHttpServer(): void {
    const server = http.createServer(
      {
        requestTimeout: this.requestTimeoutMs,
        headersTimeout: this.requestTimeoutMs,
        connectionsCheckingInterval: TIMEOUT_CHECK_MS,
      },
      (req, res) => {
        const front = this.front;
        if (front?.matches(req)) void front.handle(req, res);
        else this.getInstance<http.RequestListener>()(req, res);
      },
    );
    this.setHttpServer(server);
  }
}
