import { ConfigError, loadConfig } from './load-config.js';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(['redis', 'queue'], env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('the redis section: one Redis, a Cluster or Sentinel', () => {
  it('is one Redis at REDIS_URL by default', () => {
    const { redis, queue } = loadConfig(['redis', 'queue'], {});
    expect(redis).toEqual({
      url: 'redis://127.0.0.1:6379',
      clusterNodes: [],
      sentinels: [],
      sentinelName: undefined,
      sentinelPassword: undefined,
    });
    expect(queue.clusterNodes).toEqual([]);
  });

  it('reads cluster nodes as host:port pairs (IPv6 in brackets), shared with the queue section', () => {
    const { redis, queue } = loadConfig(['redis', 'queue'], {
      REDIS_CLUSTER_NODES: ' 10.0.0.1:7000, redis-b.internal:7001 ,[::1]:7002',
    });
    const nodes = [
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-b.internal', port: 7001 },
      { host: '::1', port: 7002 },
    ];
    expect(redis.clusterNodes).toEqual(nodes);
    expect(queue.clusterNodes).toEqual(nodes);
  });

  it('reads sentinels with the master name', () => {
    const { redis } = loadConfig(['redis'], { REDIS_SENTINELS: 's1:26379,s2:26379', REDIS_SENTINEL_NAME: 'mymaster' });
    expect(redis.sentinels).toEqual([
      { host: 's1', port: 26379 },
      { host: 's2', port: 26379 },
    ]);
    expect(redis.sentinelName).toBe('mymaster');
  });

  it('names each bad variable in one line', () => {
    expect(problemsOf({ REDIS_CLUSTER_NODES: '10.0.0.1' })).toEqual([
      'REDIS_CLUSTER_NODES must be host:port pairs, comma-separated, like 10.0.0.1:6379,10.0.0.2:6379 (got "10.0.0.1")',
    ]);
    expect(problemsOf({ REDIS_SENTINELS: 's1:99999' })[0]).toMatch(/^REDIS_SENTINELS must be host:port pairs/);
    expect(problemsOf({ REDIS_SENTINELS: 's1:26379' })).toEqual([
      expect.stringMatching(/^REDIS_SENTINEL_NAME is required with REDIS_SENTINELS/),
    ]);
    expect(problemsOf({ REDIS_SENTINEL_NAME: 'mymaster' })).toEqual([
      expect.stringMatching(/^REDIS_SENTINELS is required with REDIS_SENTINEL_NAME/),
    ]);
    expect(problemsOf({ REDIS_CLUSTER_NODES: 'a:1', REDIS_SENTINELS: 's:2', REDIS_SENTINEL_NAME: 'm' })).toEqual([
      expect.stringMatching(/^REDIS_CLUSTER_NODES and REDIS_SENTINELS are both set/),
    ]);
  });
});
