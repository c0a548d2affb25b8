import { InvalidGlobError } from '../glob/errors.js';
import { type CompiledGlob, compileGlob } from '../glob/glob.js';
import { InvalidPolicyGlobError } from './errors.js';

/** A compiled marker: which objects close their prefix's batch. */
export interface MarkerMatcher {
  readonly pattern: string;
  test(key: string): boolean;
}

/**
 * Compiles a marker glob. A marker without `/` names an object at any depth
 * (it is matched against the key's last segment, as `_SUCCESS` files of
 * Spark and Hadoop jobs sit in the folder they complete); a marker with a
 * `/` is matched against the whole key (`**\/manifest.json`,
 * `exports/*\/done.flag`). Throws {@link InvalidPolicyGlobError} naming `field`.
 *
 * @example
 * ```ts
 * compileMarker('_SUCCESS').test('runs/7/_SUCCESS'); // true
 * compileMarker('**\/manifest.json').test('manifest.json'); // false: `**\/` needs a folder
 * ```
 */
export function compileMarker(pattern: string, field = 'marker'): MarkerMatcher {
  let glob: CompiledGlob;
  try {
    glob = compileGlob(pattern);
  } catch (error) {
    if (error instanceof InvalidGlobError) throw new InvalidPolicyGlobError(field, error);
    throw error;
  }
  if (pattern.includes('/')) return { pattern, test: (key) => glob.test(key) };
  return { pattern, test: (key) => glob.test(key.slice(key.lastIndexOf('/') + 1)) };
}
