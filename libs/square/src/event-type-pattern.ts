// Which events a handler or a destination wants: exact types (payment.updated), a prefix with a star
// (payment.* — every type that starts with "payment."), or * for every event.

const PATTERN = /^(\*|[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*(\.\*)?)$/;

/** Why a pattern is malformed, or undefined when it is fine. */
export function eventTypePatternProblem(pattern: unknown): string | undefined {
  if (typeof pattern !== 'string' || !PATTERN.test(pattern)) {
    return `${JSON.stringify(pattern)} is not an event type, a prefix like payment.* or *`;
  }
  return undefined;
}

export function matchesEventType(patterns: readonly string[], type: string): boolean {
  return patterns.some((p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))));
}
