/**
 * The ingress's promise: every delivery is answered within 2 s, whatever Postgres does (Square waits
 * 10 s, then counts a failure and delivers again). The parts of that budget, in one place:
 */
export const ACK_BUDGET = {
  /** The promise itself. */
  answerMs: 2000,
  /** Everything the request asks of Postgres, however many statements: then 503 + Retry-After. */
  databaseMs: 1500,
  /** Opening a connection: Postgres refusing or unreachable must cost far less than the whole budget. */
  connectMs: 1000,
} as const;
