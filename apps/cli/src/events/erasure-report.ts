import type { ErasureSubject } from '@app/database';
import type { ErasureResult } from '@app/events';

/** `events erase`'s report: what went, per store; exit 1 when something is left to erase. */
export function printErasure(subject: ErasureSubject, { database: db, redis }: ErasureResult): number {
  const who =
    'customerId' in subject
      ? `customer ${subject.customerId}`
      : 'email' in subject
        ? `email ${subject.email}`
        : `merchant ${subject.merchantId}`;
  console.log(`erased ${who}:`);
  console.log(
    `  postgres: ${db.eventBodies} event bodies, ${db.mirroredObjects} mirrored objects, ${db.payments} payments, ${db.refunds} refunds, ` +
      `${db.deliveries} deliveries, ${db.invalidBodies} invalid bodies, ${db.errorTexts} error texts scrubbed${db.merchantTokens ? `, ${db.merchantTokens} token record(s)` : ''}`,
  );
  let left = false;
  if ('error' in redis) {
    console.error(`events: Redis not erased (${redis.error}); run the erasure again once Redis answers`);
    left = true;
  } else {
    const queues = Object.entries(redis.jobs);
    const jobs = queues.reduce((sum, [, n]) => sum + n, 0);
    console.log(
      `  redis: ${jobs} jobs${queues.length ? ` (${queues.map(([q, n]) => `${q} ${n}`).join(', ')})` : ''}, ${redis.streamEntries} queue event-stream entries`,
    );
    if (redis.left.length > 0) {
      console.error(
        `events: ${redis.left.length} Redis key(s) still name the ${who} (a job being processed?): ${redis.left.join(', ')}; run the erasure again`,
      );
      left = true;
    }
  }
  if (db.eventsInFlight > 0) {
    console.error(
      `events: ${db.eventsInFlight} event(s) of the ${who} are still being processed; run the erasure again once they are done`,
    );
    left = true;
  }
  return left ? 1 : 0;
}
