import { describeType, textProblem } from '../jobs/text-rules.js';
import { InvalidStorageLocationError } from './errors.js';

/** Where objects live: an S3 bucket, or a folder watched in local mode. */
export type StorageLocation =
  | { readonly name: string; readonly kind: 's3'; readonly bucket: string }
  | { readonly name: string; readonly kind: 'local-folder'; readonly path: string };

const LOCATION_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
// S3's rules for new buckets: 3-63 characters, lower case, digits, dots and hyphens.
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const ABSOLUTE_PATH = /^(\/|[A-Za-z]:[\\/])/;
const MAX_PATH_LENGTH = 4096;

/**
 * Checks a location name: 1 to 63 letters, digits, `.`, `_` and `-`,
 * starting with a letter or digit. Triggers refer to locations by it.
 *
 * @example
 * ```ts
 * validateLocationName('raw-scenes', 'triggers.storage[0].location');
 * ```
 */
export function validateLocationName(name: unknown, field = 'name'): string {
  if (typeof name !== 'string' || !LOCATION_NAME.test(name)) {
    throw new InvalidStorageLocationError(
      field,
      `${typeof name === 'string' ? JSON.stringify(name) : describeType(name)} is not a location name (1-63 letters, digits, '.', '_', '-')`,
      "e.g. 'raw-scenes'",
    );
  }
  return name;
}

/**
 * Validates a storage location: its name, and an S3 bucket name or an
 * absolute folder path. Returns a copy holding only the known fields.
 *
 * @example
 * ```ts
 * validateStorageLocation({ name: 'scenes', kind: 's3', bucket: 'my-scenes-bucket' });
 * ```
 */
export function validateStorageLocation(input: StorageLocation): StorageLocation {
  const name = validateLocationName(input?.name);
  if (input.kind === 's3') {
    const bucket = input.bucket;
    if (typeof bucket !== 'string' || !BUCKET_NAME.test(bucket) || bucket.includes('..')) {
      throw new InvalidStorageLocationError(
        'bucket',
        `${JSON.stringify(bucket)} is not an S3 bucket name (3-63 lower-case letters, digits, '.' and '-')`,
        'use the bucket name as the S3 console shows it, without s3://',
      );
    }
    return { name, kind: 's3', bucket };
  }
  if (input.kind === 'local-folder') {
    const path = input.path;
    const problem = textProblem(path, MAX_PATH_LENGTH);
    if (problem)
      throw new InvalidStorageLocationError('path', problem, 'use an absolute folder path');
    if (!ABSOLUTE_PATH.test(path)) {
      throw new InvalidStorageLocationError(
        'path',
        `${JSON.stringify(path)} is not absolute`,
        'resolve it first, e.g. /data/incoming',
      );
    }
    return { name, kind: 'local-folder', path };
  }
  throw new InvalidStorageLocationError(
    'kind',
    `${JSON.stringify((input as { kind?: unknown }).kind)} is not a location kind`,
    "use 's3' or 'local-folder'",
  );
}
