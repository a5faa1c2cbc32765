import { Logger } from '@nestjs/common';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisConfig } from '@app/config';
import { withoutCredentials } from '@app/observability';

/** One Redis (REDIS_URL or through Sentinel) or a Redis Cluster: BullMQ and our commands take either. */
export type RedisClient = Redis | Cluster;

// How often the cluster client re-reads which node holds which slot, besides when a node is lost or
// answers MOVED: after a failover, the promoted replica is found within this (ioredis' default: 5 s).
const CLUSTER_SLOTS_REFRESH_MS = 2000;

/**
 * Says once, in one line, that Redis is unreachable — naming the variable that points at it (REDIS_URL,
 * REDIS_CLUSTER_NODES or REDIS_SENTINELS) and where, and what still works — and once when it is back,
 * instead of an ECONNREFUSED line per retry of every connection. The last error is kept for the
 * readiness check.
 */
export class RedisConnectionReport {
  private readonly logger = new Logger('Redis');
  private down = false;
  lastError: string | undefined;

  constructor(
    private readonly config: RedisConfig,
    private readonly impact: string,
  ) {}

  /**
   * A connection of this app, reported through this object: to the one Redis, to the master the
   * sentinels name (found again after a failover), or to the cluster. `options` are per connection
   * (in cluster mode: per node, except enableOfflineQueue, which is the cluster client's).
   */
  connect(options: RedisOptions): RedisClient {
    const redis = this.open(options);
    redis.on('error', (err: Error) => this.failed(err));
    redis.on('ready', () => this.recovered());
    // A cluster stays 'ready' through the loss of one master (no new 'ready'): a slot map read
    // while it is ready says it is back.
    if (redis instanceof Cluster) redis.on('refresh', () => redis.status === 'ready' && this.recovered());
    return redis;
  }

  /** The masters to run a command on each of (SCAN): the cluster's, or the one Redis. */
  static masters(redis: RedisClient): Redis[] {
    return redis instanceof Cluster ? redis.nodes('master') : [redis];
  }

  private open(options: RedisOptions): RedisClient {
    const { clusterNodes, sentinels, sentinelName, sentinelPassword } = this.config;
    if (clusterNodes.length === 0 && sentinels.length === 0) return new Redis(this.config.url, options);
    // REDIS_URL gives the credentials and TLS of the nodes; its host is not used.
    const url = new URL(this.config.url);
    const auth: RedisOptions = {
      username: url.username ? decodeURIComponent(url.username) : undefined,
      password: url.password ? decodeURIComponent(url.password) : undefined,
      ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    };
    if (sentinels.length > 0) {
      return new Redis({
        ...options,
        ...auth,
        sentinels: [...sentinels],
        name: sentinelName,
        sentinelPassword,
        enableTLSForSentinelMode: url.protocol === 'rediss:',
        // A demoted master refuses writes (READONLY): reconnect, which asks the sentinels again.
        reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
      });
    }
    const { enableOfflineQueue, ...nodeOptions } = options;
    return new Cluster([...clusterNodes], {
      redisOptions: { ...nodeOptions, ...auth },
      enableOfflineQueue: enableOfflineQueue ?? true,
      slotsRefreshInterval: CLUSTER_SLOTS_REFRESH_MS,
      // While a master is down and its replica not yet promoted, the cluster answers CLUSTERDOWN:
      // commands wait and retry rather than fail (those with an offline queue).
      retryDelayOnClusterDown: 300,
      retryDelayOnFailover: 300,
      retryDelayOnTryAgain: 300,
      // TLS clusters (ElastiCache): the certificate names the configured host, not the IP it resolves to.
      ...(url.protocol === 'rediss:' ? { dnsLookup: (address, done) => done(null, address) } : {}),
    });
  }

  /** For errors BullMQ reports on its own connections: connection errors are said once, here. */
  isConnectionError(err: unknown): boolean {
    const code = (err as { code?: unknown }).code;
    const message = err instanceof Error ? err.message : '';
    return (
      (typeof code === 'string' &&
        /^(ECONN|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EPIPE|EHOSTUNREACH|ENETUNREACH)/.test(code)) ||
      /ECONNREFUSED|ECONNRESET|ETIMEDOUT|Connection is closed|connect ETIMEDOUT|CLUSTERDOWN|Cluster isn't ready|All sentinels are unreachable|READONLY/.test(
        message,
      )
    );
  }

  /** False from a connection error until a connection is ready again: callers may skip Redis at once. */
  get reachable(): boolean {
    return !this.down;
  }

  /** Which variable points at Redis, and where (never its credentials). */
  where(): string {
    const { clusterNodes, sentinels, sentinelName } = this.config;
    const list = (nodes: typeof clusterNodes) => nodes.map((n) => `${n.host}:${n.port}`).join(',');
    if (clusterNodes.length > 0) return `REDIS_CLUSTER_NODES (${list(clusterNodes)})`;
    if (sentinels.length > 0) return `REDIS_SENTINELS (${list(sentinels)}, master ${sentinelName})`;
    return `REDIS_URL (${withoutCredentials(this.config.url)})`;
  }

  describe(): string {
    return `${this.where()} is unreachable${this.lastError ? `: ${this.lastError}` : ''}`;
  }

  failed(err: Error): void {
    this.lastError = err.message || (err as { code?: string }).code || err.name;
    if (this.down) return;
    this.down = true;
    this.logger.warn(`${this.describe()}. ${this.impact}`);
  }

  private recovered(): void {
    if (!this.down) return;
    this.down = false;
    this.lastError = undefined;
    this.logger.log(`Redis is reachable again (${this.where()})`);
  }
}
