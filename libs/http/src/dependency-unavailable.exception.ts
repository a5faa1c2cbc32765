import { ServiceUnavailableException } from '@nestjs/common';

/** A dependency (Postgres) is down or slow: 503 with Retry-After, so Square delivers again later. */
export class DependencyUnavailableException extends ServiceUnavailableException {
  constructor(
    readonly dependency: string,
    readonly retryAfterSeconds = 10,
  ) {
    super(`${dependency} is unavailable; retry later`);
  }
}
