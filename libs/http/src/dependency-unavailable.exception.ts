import { ServiceUnavailableException } from '@nestjs/common';

/** 503 with Retry-After: the request was fine, but cannot be taken now; Square delivers it again. */
export class RetryLaterException extends ServiceUnavailableException {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** A dependency (Postgres) is down or slow: 503 with Retry-After, so Square delivers again later. */
export class DependencyUnavailableException extends RetryLaterException {
  constructor(
    readonly dependency: string,
    retryAfterSeconds = 10,
  ) {
    super(`${dependency} is unavailable; retry later`, retryAfterSeconds);
  }
}
