// Glob triggers are translated to RegExp by hand rather than by picomatch.
// picomatch was weighed part by part and does not serve the dialect:
// - `**`: picomatch treats it as a globstar only when it is a whole path
//   segment (`a**b` is `a*b` there), and its `**/` also matches zero
//   folders, so `**/*.ext` matches the root `a.ext`; the dialect needs `**`
//   anywhere and `**/*.ext` to require a folder.
// - `*`, `?`: picomatch skips leading dots unless `dot: true` and accepts a
//   trailing `/`; object keys have no hidden files and are matched whole.
// - classes and braces: picomatch treats an unbalanced `[`/`{`, an empty
//   class and a reversed range as literals or as never-matching, silently;
//   the dialect rejects them with a position. It also keeps `{a}` literal.
// - parsing: picomatch reports no positions, which edges need for errors.
// picomatch remains the baseline the trigger-index benchmark is measured against.
import { GlobAutomaton } from './glob-automaton.js';
import { parseGlob } from './glob-parser.js';
import { isLinearRegex, toRegexSource } from './glob-regex.js';

/** A glob trigger pattern compiled once, to be tested against many keys. */
export interface CompiledGlob {
  readonly pattern: string;
  /**
   * Anchored: the whole key must match. For callers that need a RegExp;
   * it backtracks, so a pattern with several unbounded wildcards (`*a*a*b`)
   * can take seconds on a long repetitive key. Use {@link CompiledGlob.test}
   * on keys you do not control.
   */
  readonly regex: RegExp;
  /**
   * Whether the whole key matches the pattern. Case-sensitive. The safe
   * path: linear in the key whatever the pattern, by the RegExp where it
   * cannot backtrack badly and by a {@link GlobAutomaton} elsewhere.
   */
  test(key: string): boolean;
  /** Literal text before the first wildcard or brace (escapes resolved); every matching key starts with it. */
  readonly literalPrefix: string;
  /** Literal text after the last wildcard or brace (escapes resolved); every matching key ends with it. */
  readonly literalSuffix: string;
}

/**
 * Compiles a glob trigger pattern. `*`, `?` and classes never match `/`;
 * `**` matches any run of characters, `/` included, and may appear anywhere.
 * Throws {@link InvalidGlobError} (with the position at fault) for an invalid
 * pattern. Pure: nothing is cached between calls. Testing a key costs time
 * linear in the key (and the pattern) for every pattern, so one user's
 * trigger cannot stall matching.
 *
 * @example
 * ```ts
 * const glob = compileGlob('scenes/*.tif');
 * glob.test('scenes/a.tif'); // true
 * glob.test('scenes/2024/a.tif'); // false: `*` stops at '/'
 * ```
 */
export function compileGlob(pattern: string): CompiledGlob {
  const nodes = parseGlob(pattern);
  // `s`: a key may hold line breaks and `**` must cross them; `u`: `?` and classes see code points.
  const regex = new RegExp(`^${toRegexSource(nodes)}$`, 'su');
  // Where the RegExp is safe, which is most real triggers, it is about 30× faster than the automaton.
  const automaton = isLinearRegex(nodes) ? undefined : new GlobAutomaton(nodes);
  const first = nodes[0];
  const last = nodes.at(-1);
  return Object.freeze({
    pattern,
    regex,
    test: automaton ? (key: string) => automaton.test(key) : (key: string) => regex.test(key),
    literalPrefix: first?.kind === 'literal' ? first.text : '',
    literalSuffix: last?.kind === 'literal' ? last.text : '',
  });
}

/**
 * Throws {@link InvalidGlobError} when `pattern` is not a valid glob trigger;
 * returns nothing otherwise. For validating configuration where it is written.
 *
 * @example
 * ```ts
 * validateGlob('data/[a-z'); // throws: unclosed '[' at position 5
 * ```
 */
export function validateGlob(pattern: string): void {
  parseGlob(pattern);
}

/**
 * Compiles `pattern` and tests one key. For one-off checks; compile once with
 * {@link compileGlob} to test many keys.
 *
 * @example
 * ```ts
 * matchesGlob('**.csv', 'a/b/c.csv'); // true
 * ```
 */
export function matchesGlob(pattern: string, key: string): boolean {
  return compileGlob(pattern).test(key);
}
