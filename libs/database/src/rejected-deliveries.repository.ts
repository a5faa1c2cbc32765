import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from './pg-pool.js';
import { statement } from './sql.js';

/** A delivery refused for its signature, as `square verify --last` re-examines it. */
export interface RejectedDelivery {
  receivedAt: Date;
  notificationUrl: string;
  signatureAlgorithm: string;
  signature: string;
  rawBody: Buffer;
  /** What the ingress said about it when it was refused. */
  diagnosis: string;
  remoteAddress: string | null;
}

/** How many are kept: enough to find the one being asked about, bounded whatever arrives. */
export const REJECTED_KEPT = 50;

// The insert and the trim are one statement: the table never holds more than REJECTED_KEPT rows plus
// the inserts running at that moment. (The DELETE does not see the row being inserted: it keeps the
// newest REJECTED_KEPT - 1 others.)
const KEEP_REJECTED = statement<{
  url: string;
  algorithm: string;
  signature: string;
  body: Buffer;
  diagnosis: string;
  remote: string | null;
}>(
  'keep-rejected-delivery',
  `
  WITH kept AS (
    INSERT INTO rejected_deliveries (notification_url, signature_algorithm, signature, raw_body, diagnosis, remote_address)
    VALUES (:url, :algorithm, :signature, :body, :diagnosis, :remote)
    RETURNING id
  )
  DELETE FROM rejected_deliveries WHERE id NOT IN (SELECT id FROM rejected_deliveries ORDER BY id DESC LIMIT ${REJECTED_KEPT - 1})`,
);

const LATEST_REJECTED = statement<{ n: number }, Row>(
  'latest-rejected-deliveries',
  `
  SELECT received_at, notification_url, signature_algorithm, signature, raw_body, diagnosis, remote_address
  FROM rejected_deliveries ORDER BY id DESC LIMIT :n`,
);

interface Row {
  received_at: Date;
  notification_url: string;
  signature_algorithm: string;
  signature: string;
  raw_body: Buffer;
  diagnosis: string;
  remote_address: string | null;
}

@Injectable()
export class RejectedDeliveriesRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async keep(d: Omit<RejectedDelivery, 'receivedAt'>): Promise<void> {
    await KEEP_REJECTED.run(this.pool, {
      url: d.notificationUrl,
      algorithm: d.signatureAlgorithm,
      signature: d.signature,
      body: d.rawBody,
      diagnosis: d.diagnosis,
      remote: d.remoteAddress,
    });
  }
}

/** The newest refused deliveries, newest first (for the CLI: no Nest context). */
export async function latestRejectedDeliveries(pool: pg.Pool, n: number): Promise<RejectedDelivery[]> {
  const { rows } = await LATEST_REJECTED.run(pool, { n });
  return rows.map((r) => ({
    receivedAt: r.received_at,
    notificationUrl: r.notification_url,
    signatureAlgorithm: r.signature_algorithm,
    signature: r.signature,
    rawBody: r.raw_body,
    diagnosis: r.diagnosis,
    remoteAddress: r.remote_address,
  }));
}
