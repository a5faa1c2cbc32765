import { getQueueToken } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QueueConfig, RedisConfig } from '@app/config';
import { QUEUES } from './queues.js';
import { PRODUCER_REDIS, SquareEventsProducer } from './square-events.producer.js';

@Module({})
export class QueueModule {
  /**
   * The producer side, for processes that answer HTTP requests. The queue is built here rather
   * than by BullModule.registerQueue because the ack path needs what that module does not give:
   * a Redis connection we own, so that the producer can see it is down and not wait (BullMQ's
   * add() waits for a connection indefinitely), and so that shutdown cannot hang on a dead Redis.
   * The queue is still registered under @nestjs/bullmq's token, so @InjectQueue works as usual.
   */
  static forProducer(): DynamicModule {
    const redisProvider = {
      provide: PRODUCER_REDIS,
      inject: [RedisConfig],
      useFactory: (redis: RedisConfig) =>
        new Redis(redis.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 }),
    };
    const queueProvider = {
      provide: getQueueToken(QUEUES.squareEvents),
      inject: [PRODUCER_REDIS, QueueConfig],
      useFactory: (connection: Redis, queue: QueueConfig) =>
        new Queue(QUEUES.squareEvents, { connection, prefix: queue.prefix }),
    };
    return {
      module: QueueModule,
      providers: [redisProvider, queueProvider, SquareEventsProducer],
      exports: [redisProvider, queueProvider, SquareEventsProducer],
    };
  }
}
