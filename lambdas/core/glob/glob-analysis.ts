import type { GlobNode } from './glob-parser.js';

/** Most alternatives (affixes or slash counts) one pattern is indexed under before the index gives up on them. */
const MAX_ALTERNATIVES = 16;
/** Brace expansions tried per pattern, so that `{a,b}{c,d}{e,f}...` stays cheap to index. */
const MAX_EXPANSIONS = 64;

/**
 * The literal texts a matching key must start with, looking through braces:
 * every key that matches `nodes` starts with one of them. The set is
 * prefix-free (no member starts with another), so a key reaches at most one.
 * `['']` means the pattern has no usable prefix.
 *
 * @example
 * ```ts
 * literalPrefixes(parseGlob('{raw,cooked}/**')); // ['cooked/', 'raw/']
 * ```
 */
export function literalPrefixes(nodes: readonly GlobNode[]): string[] {
  return prefixFree(heads(nodes, { expansions: MAX_EXPANSIONS }));
}

/**
 * The literal texts a matching key must end with, looking through braces;
 * suffix-free, `['']` when there is no usable suffix.
 *
 * @example
 * ```ts
 * literalSuffixes(parseGlob('**.{tif,tiff}')); // ['.tif', '.tiff']
 * ```
 */
export function literalSuffixes(nodes: readonly GlobNode[]): string[] {
  const reversedHeads = heads(mirror(nodes), { expansions: MAX_EXPANSIONS });
  return prefixFree(reversedHeads).map(reverse);
}

/**
 * The numbers of `/` a matching key can hold, or `undefined` when a `**`
 * makes it unbounded (or there are too many to list).
 *
 * @example
 * ```ts
 * slashCounts(parseGlob('{a,b/c}/*')); // [1, 2]
 * ```
 */
export function slashCounts(nodes: readonly GlobNode[]): number[] | undefined {
  const counts = slashCountSet(nodes);
  return counts && [...counts].sort((a, b) => a - b);
}

function heads(sequence: readonly GlobNode[], budget: { expansions: number }): string[] {
  let head = '';
  for (const [i, node] of sequence.entries()) {
    if (node.kind === 'literal') {
      head += node.text;
      continue;
    }
    // Stopping at any node is sound: every matching key still starts with `head`.
    if (node.kind !== 'braces' || --budget.expansions < 0) return [head];
    const rest = sequence.slice(i + 1);
    const found = new Set<string>();
    for (const alternative of node.alternatives) {
      for (const tail of heads([...alternative, ...rest], budget)) found.add(head + tail);
      if (found.size > MAX_ALTERNATIVES) return [head];
    }
    return [...found];
  }
  return [head];
}

function prefixFree(values: readonly string[]): string[] {
  const kept: string[] = [];
  for (const value of [...new Set(values)].sort()) {
    if (!kept.some((shorter) => value.startsWith(shorter))) kept.push(value);
  }
  return kept;
}

/** The pattern read backwards, literal texts reversed by code unit, as the suffix trie walks keys. */
function mirror(nodes: readonly GlobNode[]): GlobNode[] {
  return nodes.toReversed().map((node) => {
    if (node.kind === 'literal') return { kind: 'literal', text: reverse(node.text) };
    if (node.kind === 'braces')
      return { kind: 'braces', alternatives: node.alternatives.map(mirror) };
    return node;
  });
}

function reverse(text: string): string {
  let reversed = '';
  for (let i = text.length - 1; i >= 0; i--) reversed += text[i];
  return reversed;
}

function slashCountSet(nodes: readonly GlobNode[]): Set<number> | undefined {
  let counts = new Set([0]);
  for (const node of nodes) {
    if (node.kind === 'globstar') return undefined;
    if (node.kind === 'literal') {
      const slashes = node.text.split('/').length - 1;
      counts = new Set([...counts].map((count) => count + slashes));
    } else if (node.kind === 'braces') {
      const options = new Set<number>();
      for (const alternative of node.alternatives) {
        const alternativeCounts = slashCountSet(alternative);
        if (alternativeCounts === undefined) return undefined;
        for (const count of alternativeCounts) options.add(count);
      }
      const sums = new Set<number>();
      for (const count of counts) for (const option of options) sums.add(count + option);
      if (sums.size > MAX_ALTERNATIVES) return undefined;
      counts = sums;
    }
  }
  return counts;
}
