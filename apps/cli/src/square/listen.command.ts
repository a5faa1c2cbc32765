import { createServer, type IncomingMessage } from 'node:http';
import { Webhook } from 'standardwebhooks';
import type { SquareCommand } from './square-args.js';

type Listen = Extract<SquareCommand, { name: 'listen' }>;

// Bodies larger than this are refused (forwarded events are a few KiB).
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * `npm run square -- listen`: the consumer's side of forwarding on a developer's machine. Verifies
 * each request as the service would (the standardwebhooks package), prints one line and the body,
 * and answers --status (401 when the signature is invalid). Runs until interrupted.
 */
export function runListen(command: Listen, out: (line: string) => void = console.log): Promise<number> {
  const webhook = command.secret ? new Webhook(command.secret) : undefined;
  const server = createServer((req, res) => {
    void readBody(req).then(
      (raw) => {
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
        const verdict = verify(webhook, raw, headers);
        const body = parseJson(raw);
        const data = (body?.data ?? {}) as Record<string, unknown>;
        const what = [
          body?.type,
          data.event_id,
          typeof data.object_type === 'string' &&
            `${data.object_type} ${typeof data.object_id === 'string' ? data.object_id : ''}`.trim(),
        ]
          .filter(Boolean)
          .join(' ');
        out(
          `${new Date().toISOString()} ${req.method} ${req.url} webhook-id=${headers['webhook-id'] ?? '-'} ${verdict.line}${what ? ` ${what}` : ''}`,
        );
        out(body ? JSON.stringify(body, null, 2) : raw);
        res
          .writeHead(verdict.ok ? command.status : 401, { 'content-type': 'text/plain' })
          .end(verdict.ok ? 'ok\n' : `${verdict.line}\n`);
      },
      (err: Error) => res.writeHead(413, { 'content-type': 'text/plain' }).end(`${err.message}\n`),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          err.code === 'EADDRINUSE' ? `port ${command.port} is in use (pick another with --port)` : err.message,
        ),
      ),
    );
    server.listen(command.port, () => {
      const { port } = server.address() as { port: number };
      out(
        `listening on http://localhost:${port}/ (${webhook ? 'verifying signatures' : 'NOT verifying: pass --secret whsec_… to check signatures'}; answering ${command.status}). Ctrl-C to stop.`,
      );
    });
    const stop = () => server.close(() => resolve(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

function verify(
  webhook: Webhook | undefined,
  raw: string,
  headers: Record<string, string>,
): { ok: boolean; line: string } {
  if (!webhook) return { ok: true, line: 'unverified' };
  try {
    webhook.verify(raw, headers);
    return { ok: true, line: 'verified' };
  } catch (err) {
    return { ok: false, line: `signature invalid: ${(err as Error).message}` };
  }
}

function parseJson(raw: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) reject(new Error(`body larger than ${MAX_BODY_BYTES} bytes`));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
