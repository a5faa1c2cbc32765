import { EVENT_CATALOG } from '@app/square';

// Label values that come from outside (an event's type, a server's status) are bounded here, so
// that no sender can grow the number of series: each distinct value is a series kept in memory by
// every app and by Prometheus.

/** An event type of Square's catalog as itself; anything else (a made-up or future type) as `other`. */
export function eventTypeLabel(type: string): string {
  return Object.hasOwn(EVENT_CATALOG, type) ? type : 'other';
}

/** An HTTP status as its class (`2xx`, `4xx`, `5xx`, …); `timeout` and `network` (no answer) as they are. */
export function httpStatusLabel(status: number | string): string {
  if (status === 'timeout' || status === 'network') return status;
  const code = Number(status);
  return Number.isInteger(code) && code >= 100 && code <= 599 ? `${Math.floor(code / 100)}xx` : 'other';
}
