import { textProblem } from '../core/jobs/text-rules.js';
import { InvalidCacheKeyError } from './errors.js';

/** Longest cache key, group path included, in characters. Leaves room in a 1,024-byte S3 key for the job prefix. */
export const MAX_CACHE_KEY_LENGTH = 512;

/**
 * Bytes shared between the tasks of one job, under string keys. Keys are
 * hierarchical like file paths: `group('tiles').set('a', …)` and
 * `set('tiles/a', …)` name the same entry. Each job sees only its own cache.
 * Iterating a cache (`for await (const key of cache)`) yields the keys
 * directly inside it, relative to it, sorted; nested groups are iterated
 * through `group(name)`.
 *
 * @example
 * ```ts
 * const numbers = context.jobCache.group('numbers');
 * await numbers.set(`n${index}`, String(value));
 * for await (const key of numbers) total += Number(new TextDecoder().decode(await numbers.get(key)));
 * ```
 */
export interface JobCache extends AsyncIterable<string> {
  /** This group's path from the job's root cache; '' for the root. */
  readonly path: string;
  /** The bytes stored under `key`, or undefined when there are none. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Stores `value` under `key`, replacing what was there; strings are stored as UTF-8. */
  set(key: string, value: Uint8Array | string): Promise<void>;
  has(key: string): Promise<boolean>;
  /** Removes `key`; resolves to whether it existed. */
  delete(key: string): Promise<boolean>;
  /** The nested group `name` (which may itself contain `/`). Groups need no creation. */
  group(name: string): JobCache;
}

/**
 * Validates a cache key or group name and joins it to its group's path.
 * A key is printable text of `/`-separated segments, none empty, `.` or `..`,
 * at most {@link MAX_CACHE_KEY_LENGTH} characters with the group path.
 *
 * @example
 * ```ts
 * joinCacheKey('numbers', 'n1'); // 'numbers/n1'
 * joinCacheKey('', 'a//b'); // throws InvalidCacheKeyError: key: "a//b" has an empty segment …
 * ```
 */
export function joinCacheKey(groupPath: string, key: string, field = 'key'): string {
  const problem = textProblem(key, MAX_CACHE_KEY_LENGTH);
  if (problem) throw new InvalidCacheKeyError(field, problem, "use a key such as 'tiles/a1'");
  for (const segment of key.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw new InvalidCacheKeyError(
        field,
        `${JSON.stringify(key)} has ${segment === '' ? 'an empty segment' : `a '${segment}' segment`}`,
        "separate groups with single '/', without leading or trailing '/' and without '.' or '..'",
      );
    }
  }
  const path = groupPath === '' ? key : `${groupPath}/${key}`;
  if (path.length > MAX_CACHE_KEY_LENGTH) {
    throw new InvalidCacheKeyError(
      field,
      `the full key is ${path.length} characters long, more than the ${MAX_CACHE_KEY_LENGTH} allowed`,
      'use shorter group names or keys',
    );
  }
  return path;
}
