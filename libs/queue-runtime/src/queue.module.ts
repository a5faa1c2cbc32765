import { getQueueToken } from '@nestjs/bullmq';
import { DynamicModule, Module, Provider } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Cluster } from 'ioredis';
import { QueueConfig, RedisConfig } from '@app/config';
import { DeadLetterQueue } from './dead-letter.queue.js';
import { QUEUES, REDIS_PROBE, forwardQueue, queuePrefix, type RedisProbe } from '@app/queue';
import { QueueScrubber } from './queue-scrubber.js';
import { RedisConnectionReport, type RedisClient } from './redis-connection.js';
import { PRODUCER_REDIS, SquareEventsProducer } from './square-events.producer.js';

/**
 * The queues as producers see them: the ingress (enqueue on ack), the worker (sweep, dead
 * letters) and the events CLI (replay). Consumers (BullMQ Workers) live in the worker app.
 *
 * The queues are built here rather than by BullModule.registerQueue because producers need
 * what that module does not give: a Redis connection we own, so that the ingress can see it is
 * down and not wait (BullMQ's add() waits for a connection indefinitely), and so that shutdown
 * cannot hang on a dead Redis. They are still registered under @nestjs/bullmq's tokens, so
 * @InjectQueue works as usual.
 */
@Module({})
export class QueueModule {
  /**
   * `whileRedisIsDown`: what the app can still do without Redis, said once when it is lost.
   * `destinations`: the forwarding destinations whose queues (forward-<name>) it also uses.
   */
  static forRoot(whileRedisIsDown: string, destinations: readonly string[] = []): DynamicModule {
    const report: Provider = {
      provide: RedisConnectionReport,
      inject: [RedisConfig],
      useFactory: (config: RedisConfig) => new RedisConnectionReport(config, whileRedisIsDown),
    };
    const redis: Provider = {
      provide: PRODUCER_REDIS,
      inject: [RedisConnectionReport],
      // No offline queue: commands fail at once while Redis is unreachable.
      useFactory: (connections: RedisConnectionReport) =>
        connections.connect({ enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 }),
    };
    // What /health/ready pings (libs/health knows no ioredis).
    const probe: Provider = {
      provide: REDIS_PROBE,
      inject: [PRODUCER_REDIS, RedisConnectionReport],
      useFactory: (redis: RedisClient, connections: RedisConnectionReport): RedisProbe => ({
        ping: async () => {
          const unreachable = () => {
            throw new Error(connections.describe());
          };
          await redis.ping().catch(unreachable);
          // Any node of a cluster answers PING; whether every slot is served (no master lost without
          // a replica promoted yet) is the cluster's state.
          if (redis instanceof Cluster) {
            const info = await redis.cluster('INFO').catch(unreachable);
            if (!/cluster_state:ok/.test(String(info)))
              throw new Error(
                'Redis Cluster is down (cluster_state is not ok): a master is lost and no replica has taken over yet',
              );
          }
        },
      }),
    };
    const names = [...Object.values(QUEUES), ...destinations.map(forwardQueue)];
    const queues: Provider[] = names.map((name) => ({
      provide: getQueueToken(name),
      inject: [PRODUCER_REDIS, QueueConfig],
      useFactory: (connection: RedisClient, config: QueueConfig) => {
        const queue = new Queue(name, { connection, prefix: queuePrefix(config, name) });
        // Connection errors are the shared connection's, said once by RedisConnectionReport;
        // without a listener BullMQ prints each one with a stack trace.
        queue.on('error', () => undefined);
        return queue;
      },
    }));
    const providers = [report, redis, probe, ...queues, SquareEventsProducer, DeadLetterQueue, QueueScrubber];
    return { module: QueueModule, global: true, providers, exports: providers };
  }
}
