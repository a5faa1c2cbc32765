import { spawn, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import { migrate } from '@app/database';
import { spawnApp, type AppProcess } from '../../support/processes.js';
import { freePort, waitForPort } from '../../support/servers.js';
import { MIGRATIONS_DIR, adminQuery, databaseUrl, uniqueName } from '../../support/test-database.js';
import { startPrivatePostgres, type PrivatePostgres } from './private-postgres.js';
import { RedisCluster, RedisSentinel, type RedisTopology } from './private-redis.js';
import { FakeSquareServer } from '@app/testing';

export const KEY = 'whsk_fault_key';
export const NOTIFICATION_URL = 'https://hooks.example.com/webhooks/square';
// An app takes ~8 s to load on two cores shared with other suites (20 s seen): time to listen.
const APP_START_MS = 60_000;

export interface PipelineOptions {
  workers: number;
  /** A Postgres of the scenario's own, which it may stop (default: the machine's). */
  privatePostgres?: boolean;
  /** A Redis Cluster or Redis behind Sentinel instead of one Redis (ports 7100-7199). */
  redis?: 'cluster' | 'sentinel';
  /** Extra environment of the ingress and workers. */
  env?: Record<string, string>;
}

/**
 * The real pipeline as separate processes — ingress and workers started from dist/ as in
 * production — on a Redis of its own (which a scenario may kill and restart empty), a fresh
 * database, and the fake Square API in this process.
 */
export class Pipeline {
  readonly fake = new FakeSquareServer({ accessToken: 'fault-token' });
  readonly workers: AppProcess[] = [];
  ingress!: AppProcess;
  db!: pg.Pool;
  /** The cluster or the sentinels' set, when the scenario asked for one. */
  topology: RedisTopology | undefined;
  private redis: ChildProcess | undefined;
  private redisPort = 0;
  private postgres: PrivatePostgres | undefined;
  private dbName = uniqueName('faults');
  private dbUrl = '';

  private constructor(private readonly options: PipelineOptions) {}

  static async start(options: PipelineOptions): Promise<Pipeline> {
    const pipeline = new Pipeline(options);
    try {
      await pipeline.boot();
    } catch (err) {
      // What did start (Redis servers, apps) must not outlive a failed start.
      await pipeline.close().catch(() => undefined);
      throw err;
    }
    return pipeline;
  }

  get ingressUrl(): string {
    return `http://127.0.0.1:${this.ingress.port}/webhooks/square`;
  }

  private async boot(): Promise<void> {
    if (this.options.privatePostgres) this.postgres = await startPrivatePostgres();
    this.dbUrl = this.postgres ? this.postgres.url(this.dbName) : databaseUrl(this.dbName);
    await migrate(this.dbUrl, MIGRATIONS_DIR);
    this.db = new pg.Pool({ connectionString: this.dbUrl, max: 4 });
    this.db.on('error', () => undefined); // the scenario may stop Postgres under it
    if (this.options.redis === 'cluster') this.topology = await RedisCluster.start();
    else if (this.options.redis === 'sentinel') this.topology = await RedisSentinel.start();
    else {
      this.redisPort = await freePort();
      await this.startRedis();
    }
    await this.fake.listen();
    this.ingress = await spawnApp('ingress', this.env(), 'INGRESS_PORT', Infinity, APP_START_MS);
    for (let i = 0; i < this.options.workers; i++) await this.addWorker();
  }

  env(): Record<string, string> {
    return {
      DATABASE_URL: this.dbUrl,
      ...(this.topology ? this.topology.env() : { REDIS_URL: `redis://127.0.0.1:${this.redisPort}` }),
      SQUARE_WEBHOOK_SIGNATURE_KEYS: KEY,
      SQUARE_WEBHOOK_NOTIFICATION_URL: NOTIFICATION_URL,
      SQUARE_ACCESS_TOKEN: 'fault-token',
      SQUARE_BASE_URL: this.fake.url,
      LOG_LEVEL: 'error',
      JOB_LOCK_MS: '3000',
      JOB_BACKOFF_MS: '200',
      SWEEP_AFTER_MS: '4000',
      SWEEP_INTERVAL_MS: '1000',
      ...this.options.env,
    };
  }

  async addWorker(): Promise<AppProcess> {
    const worker = await spawnApp('worker', this.env(), 'WORKER_PORT', Infinity, APP_START_MS);
    this.workers.push(worker);
    return worker;
  }

  async killWorker(index: number): Promise<void> {
    await this.workers[index]!.stop('SIGKILL');
  }

  /** Kills Redis and starts it again empty (no persistence): every queued job is lost. */
  async restartRedisEmpty(downMs: number): Promise<void> {
    await this.stopRedis();
    await new Promise((r) => setTimeout(r, downMs));
    await this.startRedis();
  }

  stopPostgres(): void {
    if (!this.postgres) throw new Error('stopPostgres needs privatePostgres: true');
    this.postgres.stop();
  }

  startPostgres(): void {
    this.postgres!.start();
  }

  /** Counts of the inbox by status. */
  async statusCounts(): Promise<Record<string, number>> {
    const { rows } = await this.db.query<{ status: string; n: string }>(
      'SELECT status, count(*) AS n FROM webhook_events GROUP BY status',
    );
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  /** Waits until none of these events is 'received' any more; returns how long it took. */
  async settle(eventIds: string[], timeoutMs: number): Promise<number> {
    const started = Date.now();
    for (;;) {
      const { rows } = await this.db.query<{ n: string }>(
        `SELECT count(*) AS n FROM webhook_events WHERE event_id = ANY($1) AND status <> 'received'`,
        [eventIds],
      );
      if (Number(rows[0]!.n) === eventIds.length) return Date.now() - started;
      if (Date.now() - started > timeoutMs)
        throw new Error(`${eventIds.length - Number(rows[0]!.n)} events still not settled after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async close(): Promise<void> {
    await this.ingress?.stop('SIGKILL');
    for (const worker of this.workers) await worker.stop('SIGKILL');
    await this.stopRedis();
    await this.topology?.stop();
    await this.fake.close();
    await this.db?.end();
    if (this.postgres) this.postgres.destroy();
    else await adminQuery(`DROP DATABASE IF EXISTS "${this.dbName}" WITH (FORCE)`);
  }

  private async startRedis(): Promise<void> {
    this.redis = spawn(
      'redis-server',
      ['--port', String(this.redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    await waitForPort(this.redisPort, 5000);
  }

  private async stopRedis(): Promise<void> {
    const redis = this.redis;
    if (!redis || redis.exitCode !== null || redis.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      redis.once('exit', () => resolve());
      redis.kill('SIGKILL');
    });
  }
}
