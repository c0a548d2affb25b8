import type { GlobNode } from './glob-parser.js';

/**
 * Translates parsed glob nodes to RegExp source, unanchored, for the flags
 * `su` (`s`: `**` crosses line breaks; `u`: `?` and classes see code points).
 *
 * @example
 * ```ts
 * new RegExp(`^${toRegexSource(parseGlob('*.csv'))}$`, 'su'); // /^[^/]*\.csv$/su
 * ```
 */
export function toRegexSource(nodes: readonly GlobNode[]): string {
  let source = '';
  for (const node of nodes) {
    switch (node.kind) {
      case 'literal':
        source += node.text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
        break;
      case 'star':
        source += '[^/]*';
        break;
      case 'globstar':
        source += '.*';
        break;
      case 'any-char':
        source += '[^/]';
        break;
      case 'class': {
        const members = node.ranges
          .map(([low, high]) =>
            low === high ? classChar(low) : `${classChar(low)}-${classChar(high)}`,
          )
          .join('');
        if (node.negated) {
          source += `[^${members}/]`;
        } else {
          // A range such as `+-0` spans '/', which a class must still not match.
          const spansSlash = node.ranges.some(([low, high]) => low <= 0x2f && 0x2f <= high);
          source += `${spansSlash ? '(?!/)' : ''}[${members}]`;
        }
        break;
      }
      case 'braces':
        source += `(?:${node.alternatives.map(toRegexSource).join('|')})`;
        break;
    }
  }
  return source;
}

function classChar(point: number): string {
  const char = String.fromCodePoint(point);
  // Under the `u` flag only syntax characters may be escaped, and these are the ones a class needs.
  return /[\\\][^\-/]/.test(char) ? `\\${char}` : char;
}

/** Brace paths (alternatives add up, consecutive braces multiply) beyond which a RegExp is not trusted. */
const MAX_REGEX_PATHS = 16;

/** Wildcard states along one path: bit 1, a `*` or `**` was passed; bit 2, a literal `/` since the last one. */
const SEEN_WILDCARD = 1;
const SLASH_SINCE = 2;

/**
 * Whether the backtracking RegExp from {@link toRegexSource} runs in time
 * linear in the key for these nodes; when it does not, match with
 * `GlobAutomaton` instead. A backtracking engine retries every way of
 * splitting the key between unbounded wildcards, so `*a*a*b` costs
 * O(n³) on `aaaa…`. The RegExp is trusted when, along every path through
 * the braces, each wildcard after the first is a `*` with a literal `/`
 * somewhere since the previous wildcard (a `**` for the folders, then a
 * `*` for the file name), and there are at most {@link MAX_REGEX_PATHS}
 * brace paths. Then the earlier wildcards' choices reach each later `*` at
 * the start of a different folder, and that `*` cannot leave its folder, so
 * its retries cover each folder once: the work is O(paths × key × pattern).
 *
 * @example
 * ```ts
 * isLinearRegex(parseGlob('incoming/**.{tif,tiff}')); // true
 * isLinearRegex(parseGlob('*a*a*b')); // false
 * ```
 */
export function isLinearRegex(nodes: readonly GlobNode[]): boolean {
  return pathCount(nodes) <= MAX_REGEX_PATHS && wildcardStates(nodes, new Set([0])) !== undefined;
}

/** The states after `nodes` from each of `states`, or `undefined` when a path has two overlapping wildcards. */
function wildcardStates(
  nodes: readonly GlobNode[],
  states: ReadonlySet<number>,
): ReadonlySet<number> | undefined {
  let current = states;
  for (const node of nodes) {
    if (node.kind === 'literal' && node.text.includes('/')) {
      current = new Set([...current].map((state) => state | SLASH_SINCE));
    } else if (node.kind === 'star' || node.kind === 'globstar') {
      for (const state of current) {
        const bounded = node.kind === 'star' && (state & SLASH_SINCE) !== 0;
        if ((state & SEEN_WILDCARD) !== 0 && !bounded) return undefined;
      }
      current = new Set([SEEN_WILDCARD]);
    } else if (node.kind === 'braces') {
      const after = new Set<number>();
      for (const alternative of node.alternatives) {
        const reached = wildcardStates(alternative, current);
        if (reached === undefined) return undefined;
        for (const state of reached) after.add(state);
      }
      current = after;
    }
  }
  return current;
}

/** Paths through the braces, counted up to just past {@link MAX_REGEX_PATHS}. */
function pathCount(nodes: readonly GlobNode[]): number {
  let count = 1;
  for (const node of nodes) {
    if (node.kind !== 'braces') continue;
    let sum = 0;
    for (const alternative of node.alternatives) sum += pathCount(alternative);
    count = Math.min(count * sum, MAX_REGEX_PATHS + 1);
  }
  return count;
}
