import { BucketflowError, ValidationError } from '../errors.js';

/**
 * No object has this key (Scale's MissingFile). The message names the full
 * address: `s3://bucket/key: no such object`.
 *
 * @example
 * ```ts
 * throw new MissingObjectError('s3://scenes/a.tif', 'a.tif');
 * ```
 */
export class MissingObjectError extends BucketflowError {
  readonly key: string;
  readonly address: string;

  constructor(address: string, key: string, options?: ErrorOptions) {
    super(`${address}: no such object`, options);
    this.key = key;
    this.address = address;
  }
}

/**
 * What `pending` resolves to, or `absent` when it rejects with
 * {@link MissingObjectError}: for callers to whom a missing object is an
 * answer, not a failure. Other errors propagate.
 *
 * @example
 * ```ts
 * const bytes = await unlessMissing(storage.read('a.tif'), undefined); // undefined when there is no a.tif
 * ```
 */
export async function unlessMissing<T, A>(pending: Promise<T>, absent: A): Promise<T | A> {
  try {
    return await pending;
  } catch (error) {
    if (error instanceof MissingObjectError) return absent;
    throw error;
  }
}

/**
 * A key cannot name an object in this location: empty, too long, or (in a
 * local folder) a path that would leave the folder.
 *
 * @example
 * ```ts
 * throw new InvalidObjectKeyError('key', '"../etc/passwd" has a ".." segment', 'use a key inside the folder');
 * ```
 */
export class InvalidObjectKeyError extends ValidationError {}

/**
 * The key collides with the layout of a local folder: a file and a folder
 * cannot share a path (`a` and `a/b`), though S3 allows both keys.
 *
 * @example
 * ```ts
 * throw new ObjectKeyConflictError('/data/a/b', 'a/b', 'a is a file');
 * ```
 */
export class ObjectKeyConflictError extends BucketflowError {
  readonly key: string;

  constructor(address: string, key: string, problem: string, options?: ErrorOptions) {
    super(
      `${address}: ${problem} (in a local folder a file and a folder cannot share a path; rename one of them)`,
      options,
    );
    this.key = key;
  }
}
