import type { LabelledKey, SignatureAlgorithm } from '@app/square';
import { deliver, type Delivery } from './square-delivery.js';

const ALGORITHMS: Record<SignatureAlgorithm, string> = {
  sha256: 'HMAC-SHA256, x-square-hmacsha256-signature',
  sha1: 'legacy HMAC-SHA1, x-square-signature',
};

/** POSTs the delivery and prints what was sent and what came back; 0 for a 2xx answer, else 1. */
export async function deliverAndReport(delivery: Delivery, key: LabelledKey, what: string): Promise<number> {
  console.log(what);
  console.log(`POST ${delivery.to}`);
  const over = delivery.notificationUrl === delivery.to ? '' : ` for ${delivery.notificationUrl}`;
  console.log(`  signed${over} with ${key.label} (${ALGORITHMS[delivery.algorithm]})`);
  const res = await deliver(delivery);
  console.log(`${res.status} ${res.statusText}`);
  if (res.body) console.log(res.body);
  if (res.status >= 200 && res.status < 300) return 0;
  console.error(`square: ${delivery.to} answered ${res.status} ${res.statusText}${hint(res.status)}`);
  return 1;
}

function hint(status: number): string {
  if (status !== 401) return '';
  // Our ingress answers 401 for a signature that does not verify; so do most receivers.
  return ' (the signature was refused: the receiver must have the key and notification URL it was signed with, shown above)';
}
