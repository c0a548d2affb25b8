import { BucketflowError } from '../../../lambdas/core/errors.js';

/** HTTP statuses the console API answers errors with. */
export type ConsoleErrorStatus = 400 | 403 | 404 | 405;

/**
 * A console request that cannot be served as asked: an unknown route, a
 * bad parameter, a refused origin. The server answers `{ error: message }`
 * with `status`.
 */
export class ConsoleRequestError extends BucketflowError {
  readonly status: ConsoleErrorStatus;
  /** Methods the route accepts, for a 405's Allow header. */
  readonly allow: readonly string[] | undefined;

  constructor(status: ConsoleErrorStatus, message: string, allow?: readonly string[]) {
    super(message);
    this.status = status;
    this.allow = allow;
  }
}
