import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from './pg-pool.js';
import { statement } from './sql.js';
import { inTransaction } from './transaction.js';

/** A temporary destination of `square listen --forward-to`, as the worker forwards to it. */
export interface ListenDestination {
  name: string;
  url: string;
  secret: string;
  eventTypes: string[];
}

/** One attempt to a temporary destination, with what the CLI prints of its delivery. */
export interface ListenAttempt {
  id: string;
  at: Date;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  eventId: string;
  eventType: string;
  /** Which attempt of its delivery this is (1 for the first). */
  attempt: number;
  deliveryStatus: string;
}

interface DestinationRow {
  name: string;
  url: string;
  secret: string;
  event_types: string[];
}
interface AttemptRow {
  id: string;
  at: Date;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
  event_id: string;
  event_type: string;
  attempt: number;
  status: string;
}

const REGISTER = statement<{ name: string; url: string; secret: string; event_types: string[]; lease_ms: number }>(
  'register-listen-destination',
  `
  INSERT INTO listen_destinations (name, url, secret, event_types, lease_until)
  VALUES (:name, :url, :secret, :event_types::text[], now() + :lease_ms * interval '1 millisecond')`,
);

// No row: the lease lapsed and a worker removed the destination (the CLI says so and stops).
const RENEW = statement<{ name: string; lease_ms: number }, { name: string }>(
  'renew-listen-destination',
  `
  UPDATE listen_destinations SET lease_until = now() + :lease_ms * interval '1 millisecond'
  WHERE name = :name AND lease_until > now() RETURNING name`,
);

const LIVE = statement<Record<string, never>, DestinationRow>(
  'live-listen-destinations',
  `
  SELECT name, url, secret, event_types FROM listen_destinations WHERE lease_until > now() ORDER BY name`,
);

const EXPIRED = statement<Record<string, never>, { name: string }>(
  'expired-listen-destinations',
  `
  SELECT name FROM listen_destinations WHERE lease_until <= now()`,
);

// Everything a temporary destination left: its row, its deliveries (their attempts cascade), the
// outbox rows of its queue that the relay never took, its circuit.
const PURGE_ROWS = statement<{ names: string[] }>(
  'purge-listen-destinations',
  `
  DELETE FROM listen_destinations WHERE name = ANY(:names::text[])`,
);
const PURGE_DELIVERIES = statement<{ names: string[] }, { n: number }>(
  'purge-listen-deliveries',
  `
  WITH gone AS (DELETE FROM forward_deliveries WHERE destination = ANY(:names::text[]) RETURNING 1) SELECT count(*)::int AS n FROM gone`,
);
const PURGE_OUTBOX = statement<{ queues: string[] }>(
  'purge-listen-outbox',
  `
  DELETE FROM job_outbox WHERE queue = ANY(:queues::text[])`,
);
const PURGE_CIRCUITS = statement<{ names: string[] }>(
  'purge-listen-circuits',
  `
  DELETE FROM forward_destinations WHERE name = ANY(:names::text[])`,
);

const ATTEMPTS_AFTER = statement<{ name: string; after: string }, AttemptRow>(
  'listen-attempts-after',
  `
  SELECT a.id::text AS id, a.at, a.status_code, a.latency_ms, a.error, d.event_id, d.event_type, d.status::text AS status,
         (SELECT count(*) FROM forward_attempts b WHERE b.delivery_id = a.delivery_id AND b.id <= a.id)::int AS attempt
  FROM forward_attempts a JOIN forward_deliveries d ON d.id = a.delivery_id
  WHERE a.destination = :name AND a.id > :after::bigint ORDER BY a.id LIMIT 200`,
);

const PICKED_UP = statement<{ name: string }, { name: string }>(
  'listen-destination-picked-up',
  `
  SELECT name FROM forward_destinations WHERE name = :name`,
);

/**
 * The temporary destinations of `square listen --forward-to` (listen_destinations): the CLI
 * registers one, renews its lease, reads its attempts and purges it; each worker reads the live
 * ones and purges the lapsed ones. Plain statements only, so that it works behind a transaction pooler.
 */
@Injectable()
export class ListenDestinationsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async register(d: ListenDestination, leaseMs: number): Promise<void> {
    await REGISTER.run(this.pool, {
      name: d.name,
      url: d.url,
      secret: d.secret,
      event_types: d.eventTypes,
      lease_ms: leaseMs,
    });
  }

  /** False when the destination is gone (its lease lapsed and a worker removed it). */
  async renew(name: string, leaseMs: number): Promise<boolean> {
    const { rows } = await RENEW.run(this.pool, { name, lease_ms: leaseMs });
    return rows.length === 1;
  }

  async live(): Promise<ListenDestination[]> {
    const { rows } = await LIVE.run(this.pool, {});
    return rows.map((r) => ({ name: r.name, url: r.url, secret: r.secret, eventTypes: r.event_types }));
  }

  async expired(): Promise<string[]> {
    const { rows } = await EXPIRED.run(this.pool, {});
    return rows.map((r) => r.name);
  }

  /** Removes the destinations and everything they left; resolves with how many deliveries went. */
  async purge(names: readonly string[], queueOf: (name: string) => string): Promise<number> {
    if (names.length === 0) return 0;
    return inTransaction(this.pool, async (client) => {
      await PURGE_ROWS.run(client, { names: [...names] });
      const { rows } = await PURGE_DELIVERIES.run(client, { names: [...names] });
      await PURGE_OUTBOX.run(client, { queues: names.map(queueOf) });
      await PURGE_CIRCUITS.run(client, { names: [...names] });
      return rows[0]?.n ?? 0;
    });
  }

  /** True once a worker forwards to it (a worker records every destination it starts in forward_destinations). */
  async pickedUp(name: string): Promise<boolean> {
    const { rows } = await PICKED_UP.run(this.pool, { name });
    return rows.length === 1;
  }

  /** The attempts to `name` after the attempt id `after` ('0' for all), oldest first. */
  async attemptsAfter(name: string, after: string): Promise<ListenAttempt[]> {
    const { rows } = await ATTEMPTS_AFTER.run(this.pool, { name, after });
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      statusCode: r.status_code,
      latencyMs: r.latency_ms,
      error: r.error,
      eventId: r.event_id,
      eventType: r.event_type,
      attempt: r.attempt,
      deliveryStatus: r.status,
    }));
  }
}
