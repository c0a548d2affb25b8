import { InvalidGlobError } from '../glob/errors.js';
import { type CompiledGlob, compileGlob } from '../glob/glob.js';
import { InvalidPolicyGlobError } from './errors.js';

/**
 * Compiles ignore patterns, naming the bad one by its place in the list
 * (`ignore[1]`, or `${field}[1]`) when a pattern is not a valid glob.
 *
 * @example
 * ```ts
 * const globs = compileIgnorePatterns(['raw/*', 'scratch']);
 * ```
 */
export function compileIgnorePatterns(
  patterns: readonly string[],
  field = 'ignore',
): CompiledGlob[] {
  return patterns.map((pattern, index) => {
    try {
      return compileGlob(pattern);
    } catch (error) {
      if (error instanceof InvalidGlobError) {
        throw new InvalidPolicyGlobError(`${field}[${index}]`, error);
      }
      throw error;
    }
  });
}

/**
 * Whether an ignore pattern matches the key or one of its folder paths
 * (without the trailing `/`): `raw/*` ignores `raw/a.txt` and also
 * `raw/x/b.txt`, whose folder `raw/x` matches; `scratch` ignores everything
 * below the folder `scratch`.
 *
 * @example
 * ```ts
 * isIgnored('raw/x/b.txt', compileIgnorePatterns(['raw/*'])); // true
 * isIgnored('rawdata/b.txt', compileIgnorePatterns(['raw'])); // false
 * ```
 */
export function isIgnored(key: string, globs: readonly CompiledGlob[]): boolean {
  if (globs.length === 0) return false;
  for (const glob of globs) if (glob.test(key)) return true;
  for (let slash = key.indexOf('/'); slash >= 0; slash = key.indexOf('/', slash + 1)) {
    const folder = key.slice(0, slash);
    for (const glob of globs) if (glob.test(folder)) return true;
  }
  return false;
}

/**
 * Splits a comma-separated ignore list (EDP's `BucketIgnorePrefixes` format,
 * `raw/*, scratch/*`) into patterns. Commas inside braces (`{a,b}`) or escaped
 * with `\` belong to the pattern; items are trimmed and empty items dropped.
 *
 * @example
 * ```ts
 * splitIgnoreList('raw/*, {tmp,scratch}/**'); // ['raw/*', '{tmp,scratch}/**']
 * ```
 */
export function splitIgnoreList(list: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const char = list[i];
    if (char === '\\') i++;
    else if (char === '{') depth++;
    else if (char === '}' && depth > 0) depth--;
    else if (char === ',' && depth === 0) {
      items.push(list.slice(start, i));
      start = i + 1;
    }
  }
  items.push(list.slice(start));
  return items.map((item) => item.trim()).filter((item) => item !== '');
}
