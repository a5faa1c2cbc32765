import { Redis } from 'ioredis';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Calls `visit` with every batch of keys under a suite's queue prefix. */
async function eachKeyBatch(prefix: string, url: string, visit: (redis: Redis, keys: string[]) => Promise<void>): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await visit(redis, keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Deletes every key of a suite's queue prefix. */
export async function deleteQueuePrefix(prefix: string, url = REDIS_URL): Promise<void> {
  await eachKeyBatch(prefix, url, async (redis, keys) => void (await redis.del(...keys)));
}

/** Every key under a queue prefix with everything it holds, as text: for asserting what Redis keeps. */
export async function dumpQueuePrefix(prefix: string, url = REDIS_URL): Promise<string> {
  const out: string[] = [];
  await eachKeyBatch(prefix, url, async (redis, keys) => {
    for (const key of keys) {
      const type = await redis.type(key);
      const value =
        type === 'string' ? await redis.get(key)
        : type === 'hash' ? await redis.hgetall(key)
        : type === 'list' ? await redis.lrange(key, 0, -1)
        : type === 'set' ? await redis.smembers(key)
        : type === 'zset' ? await redis.zrange(key, '0', '-1', 'WITHSCORES')
        : type === 'stream' ? await redis.xrange(key, '-', '+')
        : null;
      out.push(`${key} ${JSON.stringify(value)}`);
    }
  });
  return out.join('\n');
}
