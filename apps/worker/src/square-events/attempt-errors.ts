import { errorMessage } from '@app/observability';

/**
 * An attempt that failed, with what it had got to, for the caller's record of the attempt:
 * `error` is what failed (the caller decides retry or dead letter from it).
 */
export class AttemptFailedError extends Error {
  override name = 'AttemptFailedError';

  constructor(
    readonly error: unknown,
    readonly eventType: string,
    /** The handlers that ran, in order, the failing one last. */
    readonly handlers: readonly string[],
  ) {
    super(errorMessage(error), { cause: error });
  }
}

/** The event cannot be interpreted; retrying will not change that. */
export class InvalidEventError extends Error {
  override name = 'InvalidEventError';
}
