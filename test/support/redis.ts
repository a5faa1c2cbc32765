import { Redis } from 'ioredis';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Runs `work` on each key of a suite's queue prefix (SCAN), on a connection of its own. */
async function eachKey(
  prefix: string,
  url: string,
  work: (redis: Redis, keys: string[]) => Promise<unknown>,
): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await work(redis, keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Deletes every key of a suite's queue prefix. */
export async function deleteQueuePrefix(prefix: string, url = REDIS_URL): Promise<void> {
  await eachKey(prefix, url, (redis, keys) => redis.del(...keys));
}

/**
 * Every key under a queue prefix with its whole value, as one text (for "this string is nowhere"
 * assertions): strings, hashes, lists, sets, sorted sets (with scores) and streams, whatever the type.
 */
export async function dumpQueuePrefix(prefix: string, url = REDIS_URL): Promise<string> {
  const lines: string[] = [];
  await eachKey(prefix, url, async (redis, keys) => {
    for (const key of keys) {
      const type = await redis.type(key);
      const value =
        type === 'string'
          ? [await redis.get(key)]
          : type === 'hash'
            ? Object.entries(await redis.hgetall(key))
            : type === 'list'
              ? await redis.lrange(key, 0, -1)
              : type === 'set'
                ? await redis.smembers(key)
                : type === 'zset'
                  ? await redis.zrange(key, '0', '-1', 'WITHSCORES')
                  : type === 'stream'
                    ? await redis.xrange(key, '-', '+')
                    : [`unread type ${type}`];
      lines.push(`${key} (${type}) ${JSON.stringify(value)}`);
    }
  });
  return lines.join('\n');
}
