import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { loadConfig, type IngressAppConfig } from '@app/config';
import { createIngressApp } from '../../apps/ingress/src/ingress.app.js';
import { NOTIFICATION_URL, signedHeaders } from './signing.js';

export interface TestIngress {
  app: INestApplication;
  url: string;
  post(
    body: Buffer | string,
    headers: Record<string, string>,
  ): Promise<{ status: number; body: Record<string, unknown>; headers: Headers; ms: number }>;
  /** Posts `body` signed with `key`: the event id of the 200 answer (anything else throws). */
  accepted(body: Buffer, key: string): Promise<string>;
  close(): Promise<void>;
}

export function ingressConfig(
  databaseUrl: string,
  overrides: Partial<{
    signatureKeys: string[];
    notificationUrl: string;
    allowLegacySha1: boolean;
    maxInFlightBodyBytes: number;
    requestTimeoutMs: number;
  }> = {},
): IngressAppConfig {
  return {
    database: { url: databaseUrl, poolSize: 10, pooler: 'none', directUrl: undefined },
    webhook: {
      signatureKeys: overrides.signatureKeys ?? ['whsk_test_key'],
      notificationUrl: overrides.notificationUrl ?? NOTIFICATION_URL,
      allowLegacySha1: overrides.allowLegacySha1 ?? false,
    },
    ingress: {
      port: 0,
      maxInFlightBodyBytes: overrides.maxInFlightBodyBytes ?? 8 * 1024 * 1024,
      requestTimeoutMs: overrides.requestTimeoutMs ?? 10_000,
    },
    log: { level: 'error', format: 'json' },
    // Off, as with no OTEL_* variable set (the in-process apps never start the SDK: runApp does).
    tracing: loadConfig(['tracing'], {}).tracing,
  };
}

/** The real ingress app (same factory as main.ts) listening on a random port, or on `port` (a restart). */
export async function startIngress(config: IngressAppConfig, listenPort = 0): Promise<TestIngress> {
  const app = await createIngressApp(config);
  await app.listen(listenPort, '127.0.0.1');
  const { port } = (app.getHttpServer() as Server).address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  const post: TestIngress['post'] = async (body, headers) => {
    const started = performance.now();
    const res = await fetch(`${url}/webhooks/square`, { method: 'POST', body, headers });
    const text = await res.text();
    return {
      status: res.status,
      body: text ? JSON.parse(text) : {},
      headers: res.headers,
      ms: performance.now() - started,
    };
  };
  return {
    app,
    url,
    post,
    async accepted(body, key) {
      const answer = await post(body, signedHeaders(body, key));
      if (answer.status !== 200)
        throw new Error(`the ingress answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      return String(answer.body.eventId);
    },
    close: () => app.close(),
  };
}
