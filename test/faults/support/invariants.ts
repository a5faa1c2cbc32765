import type { Pipeline } from './pipeline.js';
import type { SquareSender } from './square-sender.js';

export interface Counts {
  received: number;
  processed: number;
  ignored: number;
  deadLettered: number;
  claims: number;
  duplicatesAbsorbed: number;
  paymentsChecked: number;
}

/**
 * The invariant every scenario ends with: every event that got a 2xx ends processed, ignored or
 * dead_lettered, exactly once in effect; no payment row older than the newest version Square
 * served; nothing unsigned stored. Returns the violations (none expected) and the counts.
 */
export async function checkInvariants(
  p: Pipeline,
  sender: SquareSender,
): Promise<{ violations: string[]; counts: Counts }> {
  const violations: string[] = [];
  const acked = sender.ackedIds();
  const { rows: stored } = await p.db.query<{ event_id: string; status: string }>(
    'SELECT event_id, status FROM webhook_events WHERE event_id = ANY($1)',
    [acked],
  );
  const statusOf = new Map(stored.map((r) => [r.event_id, r.status]));
  for (const id of acked) {
    const status = statusOf.get(id);
    if (!status) violations.push(`acked event ${id} is not stored`);
    else if (!['processed', 'ignored', 'dead_lettered'].includes(status))
      violations.push(`acked event ${id} is still ${status}`);
  }

  const { rows: claimProblems } = await p.db.query<{ event_id: string; status: string; claimed: boolean }>(`
    SELECT w.event_id, w.status, c.event_id IS NOT NULL AS claimed
    FROM webhook_events w LEFT JOIN event_claims c USING (event_id)
    WHERE (w.status = 'processed') <> (c.event_id IS NOT NULL)`);
  for (const r of claimProblems)
    violations.push(`event ${r.event_id} is ${r.status} but ${r.claimed ? 'has' : 'has no'} claim`);

  const { rows: payments } = await p.db.query<{ id: string; version: number }>('SELECT id, version FROM payments');
  const storedVersion = new Map(payments.map((r) => [r.id, r.version]));
  for (const [id, served] of p.fake.maxServedVersion) {
    const version = storedVersion.get(id);
    if (version !== served)
      violations.push(`payment ${id}: stored version ${version ?? 'none'}, newest retrieved ${served}`);
  }

  const { rows: unsigned } = await p.db.query<{ n: string }>(
    'SELECT count(*) AS n FROM webhook_events WHERE event_id = ANY($1)',
    [sender.unsignedIds],
  );
  if (Number(unsigned[0]!.n) > 0) violations.push(`${unsigned[0]!.n} unsigned events were stored`);
  const { rows: invalid } = await p.db.query<{ n: string }>('SELECT count(*) AS n FROM invalid_webhooks');
  if (Number(invalid[0]!.n) > 0) violations.push(`${invalid[0]!.n} bodies stored as invalid`);

  const status = await p.statusCounts();
  const { rows: totals } = await p.db.query<{ claims: string; dup: string }>(
    'SELECT (SELECT count(*) FROM event_claims) AS claims, (SELECT COALESCE(sum(delivery_count) - count(*), 0) FROM webhook_events) AS dup',
  );
  return {
    violations,
    counts: {
      received: status.received ?? 0,
      processed: status.processed ?? 0,
      ignored: status.ignored ?? 0,
      deadLettered: status.dead_lettered ?? 0,
      claims: Number(totals[0]!.claims),
      duplicatesAbsorbed: Number(totals[0]!.dup),
      paymentsChecked: p.fake.maxServedVersion.size,
    },
  };
}
