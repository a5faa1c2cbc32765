import type { INestApplication } from '@nestjs/common';
import { DestinationsSource, loadConfig, type WorkerAppConfig } from '@app/config';
import { createWorkerApp } from '../../apps/worker/src/worker.app.js';
import { REDIS_URL } from './redis.js';

export interface WorkerOverrides {
  destinationsFile?: string;
  forwardBackoffMs?: number;
  forwardRetryForMs?: number;
  handlers?: string[];
  handlerTimeoutMs?: number;
  redisUrl?: string;
  concurrency?: number;
  /** SQUARE_EVENT_BATCH_MAX (default: the variable's default). */
  eventBatchMax?: number;
  jobAttempts?: number;
  jobBackoffMs?: number;
  jobLockMs?: number;
  sweepAfterMs?: number;
  sweepIntervalMs?: number;
  /** Square's subscription: off (no token) unless given. */
  squareSubscription?: Partial<WorkerAppConfig['squareSubscription']>;
}

export function workerConfig(
  databaseUrl: string,
  queuePrefix: string,
  squareBaseUrl: string,
  o: WorkerOverrides = {},
): WorkerAppConfig {
  return {
    database: { url: databaseUrl, poolSize: 10, pooler: 'none', directUrl: undefined },
    redis: {
      url: o.redisUrl ?? REDIS_URL,
      clusterNodes: [],
      sentinels: [],
      sentinelName: undefined,
      sentinelPassword: undefined,
    },
    queue: {
      prefix: queuePrefix,
      jobAttempts: o.jobAttempts ?? 3,
      jobBackoffMs: o.jobBackoffMs ?? 50,
      clusterNodes: [],
    },
    squareApi: {
      accessToken: 'test-token',
      environment: 'sandbox',
      baseUrl: squareBaseUrl,
      timeoutMs: 5000,
      tokenEncryptionKey: undefined,
    },
    retention: { eventDays: 30, deadLetteredDays: 90, deliveryDays: 30, invalidDays: 7, intervalMs: 0 },
    reconcile: {
      intervalMs: 0,
      lookbackMs: 3_600_000,
      overlapMs: 0,
      lagMs: 0,
      accessToken: undefined,
      environment: 'sandbox',
      baseUrl: squareBaseUrl,
      timeoutMs: 5000,
    },
    merchants: {
      encryptionKey: undefined,
      oldEncryptionKeys: [],
      applicationId: undefined,
      applicationSecret: undefined,
      refreshIntervalMs: 3_600_000,
    },
    worker: {
      port: 0,
      concurrency: o.concurrency ?? 10,
      eventBatchMax: o.eventBatchMax ?? 16,
      eventBatchSlowMs: 100,
      jobLockMs: o.jobLockMs ?? 30_000,
      sweepAfterMs: o.sweepAfterMs ?? 60_000,
      sweepIntervalMs: o.sweepIntervalMs ?? 60_000,
      shutdownTimeoutMs: 5000,
    },
    handlers: { modules: o.handlers ?? [], timeoutMs: o.handlerTimeoutMs ?? 10_000, mirrorEventTypes: ['*'] },
    // The suite's own environment resolves the file's ${NAME} secrets, as loadAppConfig would.
    forwarding: {
      destinationsFile: o.destinationsFile,
      destinations: new DestinationsSource(o.destinationsFile, process.env),
      backoffMs: o.forwardBackoffMs ?? 100,
      maxBackoffMs: 2000,
      retryForMs: o.forwardRetryForMs ?? 600_000,
      probeMaxMs: 1000,
      autoPauseAfterMs: 3 * 86_400_000,
    },
    squareSubscription: {
      accessToken: undefined,
      environment: 'sandbox',
      baseUrl: squareBaseUrl,
      timeoutMs: 5000,
      notificationUrl: undefined,
      apiVersion: '2026-09-16',
      canaryIntervalMs: 0,
      ...o.squareSubscription,
    },
    log: { level: 'error', format: 'json' },
    // Off, as with no OTEL_* variable set (the in-process apps never start the SDK: runApp does).
    tracing: loadConfig(['tracing'], {}).tracing,
  };
}

/** The real worker app (same factory as main.ts), its health port on a random port. */
export async function startWorker(config: WorkerAppConfig): Promise<INestApplication> {
  const app = await createWorkerApp(config);
  await app.listen(0, '127.0.0.1');
  return app;
}

/** Polls until `check` returns a truthy value (or throws after `timeoutMs`). */
export async function eventually<T>(
  check: () => Promise<T>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await check();
    if (last) return last;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
