import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { DESTINATION_STATE, type Circuit } from './forward-circuit.js';
import { PG_POOL } from './pg-pool.js';
import { statement } from './sql.js';
import { inTransaction } from './transaction.js';

/** A destination's circuit, by name. */
export interface DestinationCircuit extends Circuit {
  name: string;
}

/** Attempts over a window: how many, how many 2xx, latency percentiles (ms; null without attempts). */
export interface AttemptStats {
  attempts: number;
  succeeded: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

const COLUMNS =
  'name, state, since, consecutive_failures, retrying_at, probe_until, paused_by, pause_reason, last_error, released_at';

interface Row {
  name: string;
  state: Circuit['state'];
  since: Date;
  consecutive_failures: number;
  retrying_at: Date | null;
  probe_until: Date | null;
  paused_by: string | null;
  pause_reason: string | null;
  last_error: string | null;
  released_at: Date;
}

// Every configured destination has a row (healthy) from its first start on.
const ENSURE = statement<{ names: string[] }>(
  'ensure-forward-destinations',
  `
  INSERT INTO forward_destinations (name) SELECT unnest(:names::text[]) ON CONFLICT (name) DO NOTHING`,
);

const LIST = statement<{ names: string[] }, Row>(
  'list-forward-destinations',
  `
  SELECT ${COLUMNS} FROM forward_destinations WHERE name = ANY(:names::text[]) ORDER BY name`,
);

const LOCK = statement<{ name: string }, Row>(
  'lock-forward-destination',
  `
  SELECT ${COLUMNS} FROM forward_destinations WHERE name = :name FOR UPDATE`,
);

const SAVE = statement<{
  name: string;
  state: string;
  since: Date;
  consecutive_failures: number;
  retrying_at: Date | null;
  probe_until: Date | null;
  paused_by: string | null;
  pause_reason: string | null;
  last_error: string | null;
  released_at: Date;
}>(
  'save-forward-destination',
  `
  UPDATE forward_destinations
  SET state = :state::forward_destination_state, since = :since, consecutive_failures = :consecutive_failures, retrying_at = :retrying_at,
      probe_until = :probe_until, paused_by = :paused_by, pause_reason = :pause_reason, last_error = :last_error, released_at = :released_at, updated_at = now()
  WHERE name = :name`,
);

// The probe's lease: one attempt at a time to a failing destination, across every worker, once its
// wait is over; the lease lapses on its own if the worker holding it dies.
const TAKE_PROBE = statement<{ name: string; lease_ms: number }>(
  'take-forward-probe',
  `
  UPDATE forward_destinations SET probe_until = now() + :lease_ms * interval '1 millisecond'
  WHERE name = :name AND state = '${DESTINATION_STATE.failing}' AND retrying_at <= now() AND (probe_until IS NULL OR probe_until < now())
  RETURNING name`,
);

const ATTEMPT_STATS = statement<
  { names: string[] },
  {
    destination: string;
    minutes: number;
    attempts: number;
    succeeded: number;
    p50: number | null;
    p99: number | null;
  }
>(
  'forward-attempt-stats',
  `
  SELECT a.destination, w.minutes, count(*)::int AS attempts,
         count(*) FILTER (WHERE a.status_code BETWEEN 200 AND 299)::int AS succeeded,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY a.latency_ms) AS p50,
         percentile_cont(0.99) WITHIN GROUP (ORDER BY a.latency_ms) AS p99
  FROM (VALUES (5), (60)) AS w(minutes)
  JOIN forward_attempts a ON a.at > now() - w.minutes * interval '1 minute'
  WHERE a.destination = ANY(:names::text[])
  GROUP BY a.destination, w.minutes`,
);

/** The destinations' circuits (forward_destinations): shared by every worker, shown by the admin app and the CLI. */
@Injectable()
export class ForwardDestinationsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async ensure(names: readonly string[]): Promise<void> {
    if (names.length > 0) await ENSURE.run(this.pool, { names: [...names] });
  }

  async list(names: readonly string[]): Promise<DestinationCircuit[]> {
    const { rows } = await LIST.run(this.pool, { names: [...names] });
    return rows.map(circuitOf);
  }

  /**
   * Applies `change` to a destination's circuit under its row lock (workers and operators may act at
   * once); resolves with the circuit before and after (null when the destination has no row).
   */
  async transition(
    name: string,
    change: (c: Circuit, now: Date) => Circuit,
  ): Promise<{ before: DestinationCircuit; after: DestinationCircuit } | null> {
    return inTransaction(this.pool, async (client) => {
      const { rows } = await LOCK.run(client, { name });
      if (!rows[0]) return null;
      const before = circuitOf(rows[0]);
      const after = { ...change(before, new Date()), name };
      await SAVE.run(client, {
        name,
        state: after.state,
        since: after.since,
        consecutive_failures: after.consecutiveFailures,
        retrying_at: after.retryingAt,
        probe_until: after.probeUntil,
        paused_by: after.pausedBy,
        pause_reason: after.pauseReason,
        last_error: after.lastError,
        released_at: after.releasedAt,
      });
      return { before, after };
    });
  }

  /** True when this caller may send the probe to a failing destination now. */
  async takeProbe(name: string, leaseMs: number): Promise<boolean> {
    const { rowCount } = await TAKE_PROBE.run(this.pool, { name, lease_ms: leaseMs });
    return rowCount === 1;
  }

  /** Per destination, the attempts of the last 5 and 60 minutes. */
  async attemptStats(names: readonly string[]): Promise<Map<string, { last5m: AttemptStats; last60m: AttemptStats }>> {
    const { rows } = await ATTEMPT_STATS.run(this.pool, { names: [...names] });
    const empty: AttemptStats = { attempts: 0, succeeded: 0, p50Ms: null, p99Ms: null };
    const stats = new Map(names.map((n) => [n, { last5m: empty, last60m: empty }]));
    for (const r of rows) {
      const window = {
        attempts: r.attempts,
        succeeded: r.succeeded,
        p50Ms: r.p50 === null ? null : Math.round(r.p50),
        p99Ms: r.p99 === null ? null : Math.round(r.p99),
      };
      const entry = stats.get(r.destination)!;
      if (r.minutes === 5) entry.last5m = window;
      else entry.last60m = window;
    }
    return stats;
  }
}

function circuitOf(r: Row): DestinationCircuit {
  return {
    name: r.name,
    state: r.state,
    since: r.since,
    consecutiveFailures: r.consecutive_failures,
    retryingAt: r.retrying_at,
    probeUntil: r.probe_until,
    pausedBy: r.paused_by,
    pauseReason: r.pause_reason,
    lastError: r.last_error,
    releasedAt: r.released_at,
  };
}
