import { Inject, Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import { QueueConfig } from '@app/config';
import { withTimeout } from '@app/timeouts';
import { queuePrefix } from '@app/queue';
import { RedisConnectionReport, type RedisClient } from './redis-connection.js';
import { PRODUCER_REDIS } from './square-events.producer.js';

/** A BullMQ job found under the queue prefix: its queue, id and payload. */
export interface StoredJob {
  queue: string;
  jobId: string;
  data: Record<string, unknown>;
}

export interface QueueScrubResult {
  /** Jobs removed, by queue (their hash, logs and place in every list and set). */
  jobs: Record<string, number>;
  /** Entries removed from the queues' event streams (<prefix>:<queue>:events). */
  streamEntries: number;
  /** Keys that still name the subject (a job being processed cannot be removed): run it again. */
  left: string[];
}

// Keys of a queue that are hashes but not jobs.
const QUEUE_HASHES = new Set(['meta']);
const STREAM_PAGE = 500;
// How long a command-line erasure waits for its Redis connection (it fails at once without one).
const CONNECT_MS = 5000;

/**
 * Erasure in Redis: reads every key under QUEUE_PREFIX (jobs with their failedReason and
 * stacktrace, logs, the event streams), removes each job that names the subject or that `orphaned`
 * picks (a job of a purged event), and each stream entry that names the subject. In a Redis Cluster
 * each master holds some of the keys: SCAN runs on every master, the other commands go to the key's.
 */
@Injectable()
export class QueueScrubber {
  constructor(
    @Inject(PRODUCER_REDIS) private readonly redis: RedisClient,
    private readonly config: QueueConfig,
    private readonly connection: RedisConnectionReport,
  ) {}

  async scrub(
    names: (text: string) => boolean,
    orphaned: (jobs: StoredJob[]) => Promise<StoredJob[]>,
  ): Promise<QueueScrubResult> {
    await this.connected();
    const jobs: StoredJob[] = [];
    const naming = new Map<string, { queue: string; jobId: string }>();
    const others: string[] = [];
    let streamEntries = 0;
    for (const key of await this.keys()) {
      const [queue = '', jobId = '', ...rest] = this.queueKeyParts(key);
      const type = await this.redis.type(key);
      if (type === 'stream') {
        streamEntries += await this.scrubStream(key, names);
        continue;
      }
      if (type === 'hash' && rest.length === 0 && !QUEUE_HASHES.has(jobId)) {
        const hash = await this.redis.hgetall(key);
        jobs.push({ queue, jobId, data: parseData(hash.data) });
        if (names(Object.entries(hash).flat().join('\n'))) naming.set(key, { queue, jobId });
        continue;
      }
      if (!names((await this.texts(key, type)).join('\n'))) continue;
      // A job's logs, lock or dependencies: removing the job removes them; anything else is reported.
      if (rest.length === 1) naming.set(this.jobKey(queue, jobId), { queue, jobId });
      else others.push(key);
    }

    for (const job of await orphaned(jobs)) naming.set(this.jobKey(job.queue, job.jobId), job);
    const removed: Record<string, number> = {};
    const left = [...others];
    const queues = new Map<string, Queue>();
    try {
      for (const [key, { queue, jobId }] of naming) {
        const q =
          queues.get(queue) ?? new Queue(queue, { connection: this.redis, prefix: queuePrefix(this.config, queue) });
        queues.set(queue, q);
        if ((await q.remove(jobId)) === 1) removed[queue] = (removed[queue] ?? 0) + 1;
        else if ((await this.redis.exists(key)) === 1) left.push(key);
      }
    } finally {
      // The connection is the producer's: closing a queue leaves it open.
      for (const q of queues.values()) await q.close();
    }
    return { jobs: removed, streamEntries, left };
  }

  /**
   * Every key under QUEUE_PREFIX, from every master. Untagged: `<prefix>:<queue>:…`; in cluster
   * mode: `{<prefix>:<queue>}:<queue>:…` (queuePrefix), or `<tag>:<queue>:…` for a tagged QUEUE_PREFIX.
   */
  private async keys(): Promise<string[]> {
    const escape = (text: string) => text.replace(/[*?[\]\\]/g, '\\$&');
    const pattern =
      queuePrefix(this.config, '') === this.config.prefix
        ? `${escape(this.config.prefix)}:*`
        : `{${escape(this.config.prefix)}:*`;
    const keys = new Set<string>();
    for (const node of RedisConnectionReport.masters(this.redis)) {
      let cursor = '0';
      do {
        const [next, page] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        for (const key of page) keys.add(key);
      } while (cursor !== '0');
    }
    return [...keys];
  }

  /** [queue, jobId or key type, …rest] of a key found by keys(). */
  private queueKeyParts(key: string): string[] {
    const prefixEnd =
      queuePrefix(this.config, '') === this.config.prefix ? this.config.prefix.length + 1 : key.indexOf('}:') + 2;
    return key.slice(prefixEnd).split(':');
  }

  private jobKey(queue: string, jobId: string): string {
    return `${queuePrefix(this.config, queue)}:${queue}:${jobId}`;
  }

  // The producer's connection has no offline queue: wait for it, and say why when it does not come.
  private async connected(): Promise<void> {
    if (this.redis.status === 'ready') return;
    const ready = new Promise<void>((resolve) => this.redis.once('ready', () => resolve()));
    await withTimeout(ready, CONNECT_MS).catch(() => {
      throw new Error(this.connection.describe());
    });
  }

  /** XRANGE page by page; XDEL the entries that name the subject. */
  private async scrubStream(key: string, names: (text: string) => boolean): Promise<number> {
    let removed = 0;
    let from = '-';
    for (;;) {
      const entries = await this.redis.xrange(key, from, '+', 'COUNT', STREAM_PAGE);
      const matching = entries.filter(([, fields]) => names(fields.join('\n'))).map(([id]) => id);
      if (matching.length > 0) removed += await this.redis.xdel(key, ...matching);
      if (entries.length < STREAM_PAGE) return removed;
      from = `(${entries[entries.length - 1]![0]}`;
    }
  }

  private async texts(key: string, type: string): Promise<string[]> {
    switch (type) {
      case 'string':
        return [(await this.redis.get(key)) ?? ''];
      case 'hash':
        return Object.entries(await this.redis.hgetall(key)).flat();
      case 'list':
        return this.redis.lrange(key, 0, -1);
      case 'set':
        return this.redis.smembers(key);
      case 'zset':
        return this.redis.zrange(key, '0', '-1');
      default:
        return [];
    }
  }
}

function parseData(data: string | undefined): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(data ?? '{}');
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
