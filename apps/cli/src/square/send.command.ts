import type { SquareCliConfig } from '@app/config';
import { deliverAndReport } from './delivery-report.js';
import { describeEvent, withNewEventId } from './event-body.js';
import { readEventSource } from './event-source.js';
import type { SquareCommand } from './square-args.js';
import { signingKey } from './signing-keys.js';

export type SendCommand = Extract<SquareCommand, { name: 'send' }>;

/** Signs a sample or a file as Square would and POSTs it (by default to the URL it is signed for). */
export async function runSend(cmd: SendCommand, config: SquareCliConfig): Promise<number> {
  const source = readEventSource(cmd.source, config.invokedFrom ?? process.cwd());
  let body = source.body;
  if (cmd.newId) {
    const renewed = withNewEventId(body);
    if (renewed === undefined)
      console.log(
        'note: a legacy v1 body has no event_id; its fresh square-initial-delivery-timestamp makes it a new event anyway',
      );
    body = renewed ?? body;
  }
  const notificationUrl = cmd.url ?? config.notificationUrl;
  const key = signingKey(cmd.keys, config);
  return deliverAndReport(
    { to: cmd.to ?? notificationUrl, notificationUrl, key: key.key, algorithm: cmd.legacy ? 'sha1' : 'sha256', body },
    key,
    `${source.origin}: ${describeEvent(body)}`,
  );
}
