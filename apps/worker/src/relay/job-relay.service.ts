import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import { withTimeout } from '@app/timeouts';
import { DatabaseConfig } from '@app/config';
import { EventTraceRepository, JobOutboxRepository, sessionUrl, type EventTrace, type OutboxJob } from '@app/database';
import { errorMessage } from '@app/observability';
import { QUEUES } from '@app/queue';
import { SquareEventsProducer } from '@app/queue-runtime';
import { traceRelay, tracingStarted } from '@app/tracing';
import { ForwardQueues } from '../forwarding/forward-queues.js';

const BATCH = 500;
// A notification wakes the relay at once; the poll only catches what a lost LISTEN connection missed.
const POLL_MS = 1000;
// Behind a transaction pooler without a direct URL there is no LISTEN: the poll is all there is.
// A poll is one indexed query that finds nothing (docs/SCALING.md).
const POLL_ONLY_MS = 200;
const SEND_TIMEOUT_MS = 5000;
const MAX_BACKOFF_MS = 10_000;

/**
 * Moves jobs from Postgres (job_outbox, written in the same commit as what they are about: the
 * inbox row, a forward delivery) to BullMQ.
 * Woken by LISTEN job_outbox (a trigger notifies once per statement that adds jobs). While Redis or
 * Postgres fail, the jobs stay in job_outbox and the relay backs off, then catches up.
 */
@Injectable()
export class JobRelayService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JobRelayService.name);
  private listener: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private wokenWhileRunning = false;
  private stopping = false;
  private failures = 0;
  private pausedUntil = 0;

  constructor(
    private readonly outbox: JobOutboxRepository,
    private readonly producer: SquareEventsProducer,
    private readonly forward: ForwardQueues,
    private readonly database: DatabaseConfig,
    private readonly traces: EventTraceRepository,
  ) {}

  onApplicationBootstrap(): void {
    const listenUrl = sessionUrl(this.database);
    if (listenUrl !== undefined) void this.listen(listenUrl);
    this.timer = setInterval(() => this.wake(), listenUrl === undefined ? POLL_ONLY_MS : POLL_MS);
    this.timer.unref();
    this.producer.onUsable(() => this.retryNow());
    this.wake();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.listener?.end().catch(() => undefined);
    await this.running?.catch(() => undefined);
  }

  /** Relays what is waiting; a call during a pass makes one more pass after it. */
  wake(): void {
    if (this.stopping || Date.now() < this.pausedUntil) return;
    if (this.running) {
      this.wokenWhileRunning = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.wokenWhileRunning) {
        this.wokenWhileRunning = false;
        this.wake();
      }
    });
  }

  /** Redis is back (or a cluster found a new master): a failing relay tries again without waiting out its backoff. */
  private retryNow(): void {
    if (this.failures === 0) return;
    this.pausedUntil = 0;
    this.wake();
  }

  private async drain(): Promise<void> {
    try {
      // Full batches mean more is waiting: go on without waiting for a notification.
      const queues = [QUEUES.squareEvents, ...this.forward.queueNames()];
      while (!this.stopping && (await this.outbox.relay(BATCH, queues, (jobs) => this.send(jobs))) === BATCH);
      if (this.failures > 0) this.logger.log('relaying jobs to Redis again', { failedPasses: this.failures });
      this.failures = 0;
    } catch (err) {
      this.failures++;
      const backoffMs = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(this.failures, 5));
      this.pausedUntil = Date.now() + backoffMs;
      if (this.failures === 1 || this.failures % 20 === 0) {
        this.logger.warn('could not relay jobs to Redis; they wait in Postgres (job_outbox)', {
          error: errorMessage(err),
          retryInMs: backoffMs,
        });
      }
    }
  }

  /** Each queue's jobs in one round trip; the batch commits only when all are in Redis. */
  private async send(jobs: OutboxJob[]): Promise<void> {
    const byQueue = new Map<string, OutboxJob[]>();
    for (const job of jobs) byQueue.set(job.queue, [...(byQueue.get(job.queue) ?? []), job]);
    const sends = [...byQueue].map(([queue, queued]) =>
      queue === QUEUES.squareEvents ? this.publishEvents(queued) : this.forward.add(queue, queued),
    );
    await withTimeout(Promise.all(sends), SEND_TIMEOUT_MS);
  }

  /** The events' jobs; with tracing on, a `send` span each, in the trace stored with the event. */
  private async publishEvents(jobs: OutboxJob[]): Promise<void> {
    const add = () => this.producer.addEvents(jobs.map((j) => ({ eventId: j.ref, generation: j.generation })));
    if (!tracingStarted()) return add();
    const traces = await this.traces.forRelay(jobs.map((j) => j.ref)).catch(() => new Map<string, EventTrace>());
    return traceRelay(
      jobs.map((j) => ({ eventId: j.ref, traceparent: traces.get(j.ref)?.traceparent ?? null })),
      add,
    );
  }

  /** A connection of its own (LISTEN cannot share a pooled one), reopened whenever it drops. */
  private async listen(url: string): Promise<void> {
    if (this.stopping) return;
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    this.listener = client;
    let reopened = false;
    const reopen = () => {
      if (reopened || this.stopping) return;
      reopened = true;
      client.end().catch(() => undefined);
      setTimeout(() => void this.listen(url), POLL_MS).unref();
    };
    client.on('notification', () => this.wake());
    client.on('error', reopen);
    client.on('end', reopen);
    try {
      await client.connect();
      await client.query('LISTEN job_outbox');
      this.wake(); // whatever arrived while it was not listening
    } catch {
      reopen(); // Postgres down: the poll and the next attempt carry on
    }
  }
}
