import type { SquareCliConfig } from '@app/config';
import { createPgPool, latestRejectedDeliveries } from '@app/database';
import { diagnoseSquareSignature, type SignatureCheck } from '@app/square';
import { databaseName } from './captured-events.js';
import type { SquareCommand } from './square-args.js';
import { verificationKeys } from './signing-keys.js';
import { verifyReport } from './verify.command.js';

export type VerifyLastCommand = Extract<SquareCommand, { name: 'verify-last' }>;

/**
 * Explains the last delivery the ingress refused for its signature (it keeps the last 50): what the
 * ingress said then, and the diagnosis with this machine's keys (--key to try others). 0 when it
 * verifies now, 1 when not or when none was refused.
 */
export async function runVerifyLast(cmd: VerifyLastCommand, config: SquareCliConfig): Promise<number> {
  const pool = createPgPool({ url: config.database.url, poolSize: 1 }, 5000);
  pool.on('error', () => undefined); // the query's own failure says it
  const [last] = await latestRejectedDeliveries(pool, 1)
    .catch((err: unknown) => {
      throw new Error(
        `cannot read the rejected deliveries from Postgres (database "${databaseName(config.database.url)}"): ${(err as Error).message}`,
      );
    })
    .finally(() => pool.end().catch(() => undefined));
  if (last === undefined) {
    console.log(
      `no rejected delivery kept in database "${databaseName(config.database.url)}" (the ingress keeps the last 50 it logged)`,
    );
    return 1;
  }
  console.log(
    `the last rejected delivery: ${last.receivedAt.toISOString()} from ${last.remoteAddress ?? 'an unknown address'}, ${last.rawBody.length} bytes`,
  );
  console.log(`the ingress said: ${last.diagnosis}`);
  const check: SignatureCheck = {
    signature: last.signature,
    rawBody: last.rawBody,
    notificationUrl: last.notificationUrl,
    algorithm: last.signatureAlgorithm === 'sha1' ? 'sha1' : 'sha256',
    ...verificationKeys(cmd.keys, config),
  };
  const diagnosis = diagnoseSquareSignature(check);
  for (const line of verifyReport(diagnosis, check)) console.log(line);
  return diagnosis.valid ? 0 : 1;
}
