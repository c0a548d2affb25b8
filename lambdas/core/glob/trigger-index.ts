import { AffixTrie } from './affix-trie.js';
import { literalPrefixes, literalSuffixes, slashCounts } from './glob-analysis.js';
import { GlobAutomaton } from './glob-automaton.js';
import { type GlobNode, parseGlob } from './glob-parser.js';
import { isLinearRegex, toRegexSource } from './glob-regex.js';

/** A glob trigger and the value {@link TriggerIndex.match} returns when a key matches it. */
export interface Trigger<T> {
  readonly pattern: string;
  readonly value: T;
}

/** A lone surrogate: under the `u` flag a proper pair is one code point, which `\p{Cs}` does not match. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Which part of a candidate key the index has already matched when it verifies the pattern. */
type Matched = 'after-prefix' | 'before-suffix' | 'whole';

/** All triggers that share one pattern: the pattern is tested once for all of them. */
interface Entry {
  /**
   * Tests the whole key instead of {@link Entry.regex}, for a pattern whose
   * RegExp could backtrack for seconds (`*a*a*b`): such patterns are rare,
   * and the automaton costs time linear in the key, never more.
   */
  readonly automaton: GlobAutomaton | undefined;
  /**
   * Sticky, tested from `offset`; `undefined` when {@link Entry.automaton}
   * is set. Where an entry is filed, the index has already matched a
   * literal affix, so only the rest of the pattern is tested; that rest is
   * shared by many patterns (`teams/a/**.tif` and `teams/b/**.tif` both
   * leave `**.tif`), and a few hot RegExps run much faster than thousands
   * of cold ones.
   */
  readonly regex: RegExp | undefined;
  readonly offset: number;
  /** Insertion numbers, ascending. */
  readonly ids: number[];
}

/**
 * Finds every glob trigger that matches an object key without testing every
 * trigger. Each distinct pattern is filed once, under the most selective of:
 * - its literal prefixes (looking through braces) in a trie walked from the
 *   key's start — `teams/a/p1/**`, `{raw,cooked}/**`;
 * - otherwise its literal suffixes in a trie walked from the key's end —
 *   `**.csv`, `**.{tif,tiff}`;
 * - otherwise, when it has no `**`, the slash counts it can match, looked up
 *   by the key's slash count — `*`, `{a,b}/*`;
 * - otherwise a short list tested for every key — `**`, `{a,**}x*`.
 * A key only reaches patterns whose affix or slash count it has; those
 * candidates are then verified with a RegExp (or, for a pattern whose RegExp
 * could backtrack badly, a {@link GlobAutomaton}), so the result is exactly
 * that of testing every pattern, in time linear in the key.
 *
 * @example
 * ```ts
 * const index = new TriggerIndex([
 *   { pattern: '**.csv', value: 'csv-automation' },
 *   { pattern: 'incoming/*', value: 'incoming-automation' },
 * ]);
 * index.match('incoming/a.csv'); // ['csv-automation', 'incoming-automation']
 * ```
 */
export class TriggerIndex<T> {
  private readonly values: T[] = [];
  private readonly byPattern = new Map<string, Entry>();
  /** Per index, not global: patterns' residues repeat, so their RegExps are shared. */
  private readonly regexes = new Map<string, RegExp>();
  private readonly prefixes = new AffixTrie<Entry>(false);
  private readonly suffixes = new AffixTrie<Entry>(true);
  private readonly bySlashCount = new Map<number, Entry[]>();
  private readonly unindexed: Entry[] = [];

  /** Throws {@link InvalidGlobError} on the first invalid pattern. */
  constructor(triggers: Iterable<Trigger<T>> = []) {
    for (const { pattern, value } of triggers) this.add(pattern, value);
  }

  /** Number of triggers (not of distinct patterns). */
  get size(): number {
    return this.values.length;
  }

  /** Adds one trigger after those already present; throws {@link InvalidGlobError} if `pattern` is invalid. */
  add(pattern: string, value: T): this {
    const id = this.values.length;
    const existing = this.byPattern.get(pattern);
    if (existing) {
      existing.ids.push(id);
    } else {
      const entry = this.file(pattern, parseGlob(pattern), id);
      this.byPattern.set(pattern, entry);
    }
    this.values.push(value);
    return this;
  }

  /** The values of every trigger whose pattern matches the whole key, in insertion order. */
  match(key: string): T[] {
    const hits: Entry[] = [];
    const buckets: Array<readonly Entry[]> = [];
    this.prefixes.bucketsOf(key, buckets);
    this.suffixes.bucketsOf(key, buckets);
    for (const bucket of buckets) collect(bucket, key, hits);
    if (this.bySlashCount.size > 0) {
      const entries = this.bySlashCount.get(countSlashes(key));
      if (entries) collect(entries, key, hits);
    }
    collect(this.unindexed, key, hits);
    return this.valuesOf(hits);
  }

  private file(pattern: string, nodes: GlobNode[], id: number): Entry {
    const prefixes = literalPrefixes(nodes);
    const suffixes = literalSuffixes(nodes);
    const prefixLength = shortest(prefixes);
    const suffixLength = shortest(suffixes);
    if (prefixLength > 0 && prefixLength >= suffixLength) {
      const entry = this.entry(pattern, nodes, 'after-prefix', id);
      for (const prefix of prefixes) this.prefixes.bucket(prefix).push(entry);
      return entry;
    }
    if (suffixLength > 0) {
      const entry = this.entry(pattern, nodes, 'before-suffix', id);
      for (const suffix of suffixes) this.suffixes.bucket(suffix).push(entry);
      return entry;
    }
    const entry = this.entry(pattern, nodes, 'whole', id);
    const counts = slashCounts(nodes);
    if (counts === undefined) {
      this.unindexed.push(entry);
      return entry;
    }
    for (const count of counts) {
      const entries = this.bySlashCount.get(count);
      if (entries) entries.push(entry);
      else this.bySlashCount.set(count, [entry]);
    }
    return entry;
  }

  /** The entry that verifies a candidate key, given the part of the key the index has already matched. */
  private entry(pattern: string, nodes: GlobNode[], matched: Matched, id: number): Entry {
    if (!isLinearRegex(nodes)) {
      return { automaton: new GlobAutomaton(nodes), regex: undefined, offset: 0, ids: [id] };
    }
    // With a lone surrogate, code-unit offsets and the `u` flag's code points could disagree.
    const plain = !LONE_SURROGATE.test(pattern);
    if (matched === 'after-prefix') {
      // Every filed prefix starts with the first literal node, so the rest is tested after it.
      const first = nodes[0];
      const head = plain && first?.kind === 'literal' ? first.text : '';
      const rest = head === '' ? nodes : nodes.slice(1);
      return this.regexEntry(`${toRegexSource(rest)}$`, head.length, id);
    }
    if (matched === 'before-suffix') {
      // Every filed suffix ends with the last literal node: test the rest, then that node.
      const last = nodes.at(-1);
      const tail = plain && last?.kind === 'literal' ? [last] : [];
      const rest = tail.length === 0 ? nodes : nodes.slice(0, -1);
      return this.regexEntry(`^${toRegexSource(rest)}(?=${toRegexSource(tail)}$)`, 0, id);
    }
    return this.regexEntry(`^${toRegexSource(nodes)}$`, 0, id);
  }

  private regexEntry(source: string, offset: number, id: number): Entry {
    let regex = this.regexes.get(source);
    if (regex === undefined) {
      // `y`: tested from `offset` only; `s` and `u` as in compileGlob.
      regex = new RegExp(source, 'suy');
      this.regexes.set(source, regex);
    }
    return { automaton: undefined, regex, offset, ids: [id] };
  }

  private valuesOf(hits: readonly Entry[]): T[] {
    const [only] = hits;
    if (only === undefined) return [];
    // Affix sets are prefix-free and slash counts are exclusive, so no entry is hit twice.
    const ids = hits.length === 1 ? only.ids : hits.flatMap((hit) => hit.ids).sort((a, b) => a - b);
    return ids.map((id) => this.values[id] as T);
  }
}

function collect(entries: readonly Entry[], key: string, hits: Entry[]): void {
  for (const entry of entries) {
    const { regex } = entry;
    if (regex === undefined) {
      if (entry.automaton?.test(key)) hits.push(entry);
    } else {
      regex.lastIndex = entry.offset;
      if (regex.test(key)) hits.push(entry);
    }
  }
}

function shortest(texts: readonly string[]): number {
  return Math.min(...texts.map((text) => text.length));
}

function countSlashes(key: string): number {
  let count = 0;
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) === 0x2f) count++;
  return count;
}
