import { textProblem } from '../jobs/text-rules.js';
import { InvalidClusterNameError } from './errors.js';

/** The cluster used when none is named; created on first use. */
export const DEFAULT_CLUSTER_SLUG = 'default';
/** Longest cluster name, in characters. */
export const MAX_CLUSTER_NAME_LENGTH = 64;
/** Random characters appended to a cluster's name to make its slug. */
export const CLUSTER_SUFFIX_LENGTH = 8;
/** Longest cluster slug, in characters (a task queue may allow fewer: see the SQS adapter's `maxClusterSlugLength`). */
export const MAX_CLUSTER_SLUG_LENGTH = 128;
/** The alphabet of a cluster slug: letters, digits, `_` and `-`, starting with a letter or digit. */
export const CLUSTER_SLUG_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Makes a cluster slug from its name and random bytes (one character per
 * byte, {@link CLUSTER_SUFFIX_LENGTH} bytes): the name lower-cased with every
 * run of other characters than letters, digits, `_` and `-` turned into `-`,
 * then `-` and the suffix, as Tilebox does (`testing-CvufcSxc`). Pure: the
 * caller supplies the randomness.
 *
 * @example
 * ```ts
 * clusterSlug('GPU runners', crypto.getRandomValues(new Uint8Array(8))); // 'gpu-runners-4Kx9aB2q'
 * ```
 */
export function clusterSlug(name: string, random: Uint8Array): string {
  const problem = textProblem(name, MAX_CLUSTER_NAME_LENGTH);
  if (problem) throw new InvalidClusterNameError('name', problem, "e.g. 'gpu-runners'");
  const base =
    name
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'cluster';
  if (random.length < CLUSTER_SUFFIX_LENGTH) {
    throw new InvalidClusterNameError(
      'random',
      `needs ${CLUSTER_SUFFIX_LENGTH} bytes, got ${random.length}`,
    );
  }
  let suffix = '';
  for (let index = 0; index < CLUSTER_SUFFIX_LENGTH; index++) {
    suffix += ALPHANUMERIC.charAt((random[index] ?? 0) % ALPHANUMERIC.length);
  }
  return `${base}-${suffix}`;
}

/**
 * Whether `value` has the shape of a cluster slug: letters, digits, `_` and
 * `-`, starting with a letter or digit, at most {@link MAX_CLUSTER_SLUG_LENGTH} characters.
 *
 * @example
 * ```ts
 * isClusterSlug('gpu-runners-4Kx9aB2q'); // true
 * ```
 */
export function isClusterSlug(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length <= MAX_CLUSTER_SLUG_LENGTH &&
    CLUSTER_SLUG_PATTERN.test(value)
  );
}
