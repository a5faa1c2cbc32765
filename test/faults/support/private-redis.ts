import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitForPort } from '../../support/servers.js';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Redis as teams that grow run it, started by the test from Debian's redis-server on the ports the
 * suite was given (7100-7199): a 6-node cluster (3 masters, 3 replicas) or a master with 2
 * replicas behind 3 sentinels. No persistence: a killed master's unreplicated writes are gone, as
 * on a real asynchronous failover.
 */
export interface RedisTopology {
  readonly kind: 'cluster' | 'sentinel';
  /** What the pipeline is configured with (REDIS_CLUSTER_NODES, or REDIS_SENTINELS and REDIS_SENTINEL_NAME). */
  env(): Record<string, string>;
  /** Kills (SIGKILL) the master holding `key` (in a cluster: its slot); returns its port. */
  killMasterOf(key: string): Promise<number>;
  /** Waits until a replica serves as master in the killed one's place; returns its port and how long since the kill. */
  waitForFailover(timeoutMs: number): Promise<{ port: number; ms: number }>;
  stop(): Promise<void>;
}

abstract class ServerSet {
  protected readonly dir = mkdtempSync(join(tmpdir(), 'sqwh-redis-'));
  protected readonly servers = new Map<number, ChildProcess>();
  protected killedPort = 0;
  protected killedAt = 0;

  /** A data node's options: no persistence; its replication files in the set's own directory. */
  protected common(port: number): string[] {
    return [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--save',
      '',
      '--appendonly',
      'no',
      '--protected-mode',
      'no',
    ];
  }

  protected async start(port: number, args: string[]): Promise<void> {
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.servers.set(port, child);
    await waitForPort(port, 10_000);
  }

  protected async cli(port: number, ...args: string[]): Promise<string> {
    const { stdout } = await run('redis-cli', ['-p', String(port), ...args], { timeout: 10_000 });
    return stdout;
  }

  protected async kill(port: number): Promise<void> {
    const child = this.servers.get(port);
    if (!child) throw new Error(`no redis-server of ours on ${port}`);
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
    this.killedPort = port;
    this.killedAt = Date.now();
  }

  protected async until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check().catch(() => undefined);
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await sleep(100);
    }
  }

  async stop(): Promise<void> {
    for (const child of this.servers.values()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A cluster node's line of CLUSTER NODES: its port, flags and slot ranges. */
interface NodeLine {
  port: number;
  flags: string[];
  slots: Array<[number, number]>;
}

function parseNodes(text: string): NodeLine[] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [, address = '', flags = '', , , , , , ...slots] = line.split(' ');
      return {
        port: Number(/:(\d+)@/.exec(address)?.[1]),
        flags: flags.split(','),
        // Ranges like 0-5460 or a single slot; importing/migrating entries ([…]) are not ownership.
        slots: slots
          .filter((s) => !s.startsWith('['))
          .map((s) => s.split('-').map(Number))
          .map(([a, b]) => [a!, b ?? a!] as [number, number]),
      };
    });
}

export class RedisCluster extends ServerSet implements RedisTopology {
  readonly kind = 'cluster';
  private slot = -1;
  private readonly ports: number[];

  private constructor(basePort: number) {
    super();
    this.ports = Array.from({ length: 6 }, (_, i) => basePort + i);
  }

  static async start(basePort = 7100): Promise<RedisCluster> {
    const cluster = new RedisCluster(basePort);
    try {
      await cluster.boot();
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  private async boot(): Promise<void> {
    for (const port of this.ports) {
      await this.start(port, [
        ...this.common(port),
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        `nodes-${port}.conf`,
        // A master is declared failed after 2 s without an answer; its replica is then promoted.
        '--cluster-node-timeout',
        '2000',
      ]);
    }
    await run(
      'redis-cli',
      ['--cluster', 'create', ...this.ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '1', '--cluster-yes'],
      { timeout: 60_000 },
    );
    await this.until('the cluster to be ok on every node', 30_000, async () => {
      for (const port of this.ports) {
        if (!(await this.cli(port, 'cluster', 'info')).includes('cluster_state:ok')) return undefined;
        if (parseNodes(await this.cli(port, 'cluster', 'nodes')).length !== 6) return undefined;
      }
      return true;
    });
  }

  env(): Record<string, string> {
    return { REDIS_CLUSTER_NODES: this.ports.map((p) => `127.0.0.1:${p}`).join(',') };
  }

  private alive(): number {
    const port = this.ports.find((p) => p !== this.killedPort);
    return port!;
  }

  private async ownerOf(slot: number): Promise<NodeLine | undefined> {
    const nodes = parseNodes(await this.cli(this.alive(), 'cluster', 'nodes'));
    return nodes.find(
      (n) =>
        n.flags.includes('master') && !n.flags.includes('fail') && n.slots.some(([a, b]) => slot >= a && slot <= b),
    );
  }

  async killMasterOf(key: string): Promise<number> {
    this.slot = Number((await this.cli(this.alive(), 'cluster', 'keyslot', key)).trim());
    const owner = await this.ownerOf(this.slot);
    if (!owner) throw new Error(`no master holds slot ${this.slot}`);
    await this.kill(owner.port);
    return owner.port;
  }

  async waitForFailover(timeoutMs: number): Promise<{ port: number; ms: number }> {
    const port = await this.until("a replica to take over the killed master's slots", timeoutMs, async () => {
      const owner = await this.ownerOf(this.slot);
      if (!owner || owner.port === this.killedPort) return undefined;
      return (await this.cli(owner.port, 'cluster', 'info')).includes('cluster_state:ok') ? owner.port : undefined;
    });
    return { port, ms: Date.now() - this.killedAt };
  }
}

const MASTER_NAME = 'sqwh';

export class RedisSentinel extends ServerSet implements RedisTopology {
  readonly kind = 'sentinel';
  private readonly dataPorts: number[];
  private readonly sentinelPorts: number[];

  private constructor(basePort: number) {
    super();
    this.dataPorts = [basePort, basePort + 1, basePort + 2];
    this.sentinelPorts = [basePort + 10, basePort + 11, basePort + 12];
  }

  static async start(basePort = 7110): Promise<RedisSentinel> {
    const sentinel = new RedisSentinel(basePort);
    try {
      await sentinel.boot();
    } catch (err) {
      await sentinel.stop();
      throw err;
    }
    return sentinel;
  }

  private async boot(): Promise<void> {
    const [master, ...replicas] = this.dataPorts as [number, ...number[]];
    await this.start(master, this.common(master));
    for (const port of replicas)
      await this.start(port, [...this.common(port), '--replicaof', '127.0.0.1', String(master)]);
    for (const port of this.sentinelPorts) {
      // Sentinel rewrites its configuration file: each gets one of its own.
      const file = join(this.dir, `sentinel-${port}.conf`);
      writeFileSync(
        file,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${this.dir}`,
          `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${master} 2`,
          // The master is declared down after 1 s without an answer; a failover may take 5 s.
          `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
          `sentinel failover-timeout ${MASTER_NAME} 5000`,
          '',
        ].join('\n'),
      );
      await this.start(port, [file, '--sentinel']);
    }
    await this.until('the sentinels to know both replicas and each other', 30_000, async () => {
      for (const port of this.sentinelPorts) {
        const replicas = await this.cli(port, 'sentinel', 'replicas', MASTER_NAME);
        const others = await this.cli(port, 'sentinel', 'sentinels', MASTER_NAME);
        if ((replicas.match(/^name$/gm) ?? []).length !== 2 || (others.match(/^name$/gm) ?? []).length !== 2)
          return undefined;
      }
      return true;
    });
  }

  env(): Record<string, string> {
    return {
      REDIS_SENTINELS: this.sentinelPorts.map((p) => `127.0.0.1:${p}`).join(','),
      REDIS_SENTINEL_NAME: MASTER_NAME,
    };
  }

  private async master(): Promise<number> {
    const sentinel = this.sentinelPorts[0]!;
    const [, port] = (await this.cli(sentinel, 'sentinel', 'get-master-addr-by-name', MASTER_NAME)).trim().split('\n');
    return Number(port);
  }

  // One Redis holds every key: `key` does not choose.
  async killMasterOf(_key: string): Promise<number> {
    const port = await this.master();
    await this.kill(port);
    return port;
  }

  async waitForFailover(timeoutMs: number): Promise<{ port: number; ms: number }> {
    const port = await this.until('the sentinels to promote a replica', timeoutMs, async () => {
      const port = await this.master();
      if (port === this.killedPort) return undefined;
      return (await this.cli(port, 'role')).startsWith('master') ? port : undefined;
    });
    return { port, ms: Date.now() - this.killedAt };
  }
}
