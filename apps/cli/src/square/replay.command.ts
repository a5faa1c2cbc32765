import type { SquareCliConfig } from '@app/config';
import { databaseName, readCapturedEvent } from './captured-events.js';
import { deliverAndReport } from './delivery-report.js';
import { describeEvent } from './event-body.js';
import type { SquareCommand } from './square-args.js';
import { signingKey } from './signing-keys.js';

export type ReplayCommand = Extract<SquareCommand, { name: 'replay' }>;

/**
 * Re-sends a captured event's raw body, byte for byte, signed for the target (e.g. a developer's
 * local server). The pipeline's own status of the event is not touched: for reprocessing a
 * dead-lettered event there is `npm run events -- replay`.
 */
export async function runReplay(cmd: ReplayCommand, config: SquareCliConfig): Promise<number> {
  const event = await readCapturedEvent(config.database, cmd.eventId);
  if (event === undefined)
    throw new Error(`no captured event "${cmd.eventId}" in database "${databaseName(config.database.url)}"`);
  const key = signingKey(cmd.keys, config);
  return deliverAndReport(
    {
      to: cmd.to,
      notificationUrl: cmd.url ?? cmd.to,
      key: key.key,
      algorithm: cmd.legacy ? 'sha1' : 'sha256',
      body: event.rawBody,
      environment: event.squareEnvironment ?? undefined,
    },
    key,
    `captured event: ${describeEvent(event.rawBody)} (${event.rawBody.length} bytes)`,
  );
}
