import type { GlobNode } from './glob-parser.js';

const SLASH = 0x2f;

// Kinds of automaton nodes. Consuming nodes lead to the node after them
// (a loop leads back to itself); epsilon edges only ever point forward.
/** The end of the pattern. */
const ACCEPT = 0;
/** A whole literal text at once: a literal run costs one `startsWith`, not one node per character. */
const LITERAL = 1;
/** `?`: one code point except `/`. */
const ONE = 2;
/** `[...]`: one code point (never `/`) in, or not in, the ranges. */
const CLASS = 3;
/** `*`: loops on code points except `/`, or skips to the next node. */
const STAR = 4;
/** `**`: loops on any code point, or skips to the next node. */
const GLOBSTAR = 5;
/** The start of braces: epsilon edges to each alternative's first node. */
const FORK = 6;
/** The end of a brace alternative: an epsilon edge past the braces. */
const JUMP = 7;

interface Node {
  kind: number;
  text: string;
  ranges: readonly number[];
  negated: boolean;
  /** JUMP: the node after the braces; FORK: the alternatives' first nodes. */
  targets: number[];
}

/**
 * Matches keys against a parsed glob without backtracking: a Thompson NFA
 * simulated over the set of live nodes, in O(nodes × key length) time
 * whatever the pattern, and no allocation per test. Braces are a fork to
 * each alternative and a jump past the braces (never expanded, so
 * `{a,b}{a,b}…` stays linear in size); `*` and `**` are nodes that loop on
 * themselves; a literal run is one node that advances by its length. Live
 * nodes are a bitset per key offset, in a ring of offsets as deep as the
 * longest literal; at each offset one forward sweep follows the epsilon
 * edges, which all point forward, so each node is visited once per offset.
 *
 * Keys are read by code point, like the RegExp path's `u` flag: `?` and
 * classes consume an astral character whole, and a literal ending in a lone
 * high surrogate does not match the first half of a pair.
 *
 * @example
 * ```ts
 * const automaton = new GlobAutomaton(parseGlob('*a*a*b'));
 * automaton.test(`${'a'.repeat(1_022)}/b`); // false, after one pass over the key
 * ```
 */
export class GlobAutomaton {
  private readonly kinds: Uint8Array;
  private readonly texts: readonly string[];
  /** Literal nodes whose text ends in a high surrogate: they must not end inside a pair. */
  private readonly endsHigh: Uint8Array;
  private readonly ranges: ReadonlyArray<readonly number[]>;
  private readonly negated: Uint8Array;
  private readonly targets: ReadonlyArray<readonly number[]>;
  private readonly words: number;
  /**
   * `slots` bitsets of `words` words: the nodes reached at the offsets from
   * the one being read on. Scratch space shared by every call to `test`,
   * which never calls out, so two calls cannot interleave.
   */
  private readonly ring: Uint32Array;
  private readonly slots: number;
  /** Literal text every matching key ends with, checked first so that most misses cost one `endsWith`. */
  private readonly suffix: string;

  constructor(nodes: readonly GlobNode[]) {
    const graph: Node[] = [];
    emit(nodes, graph);
    graph.push(node(ACCEPT));
    this.kinds = Uint8Array.from(graph, (entry) => entry.kind);
    this.texts = graph.map((entry) => entry.text);
    this.endsHigh = Uint8Array.from(graph, ({ text }) =>
      text.length > 0 && isHighSurrogate(text.charCodeAt(text.length - 1)) ? 1 : 0,
    );
    this.ranges = graph.map((entry) => entry.ranges);
    this.negated = Uint8Array.from(graph, (entry) => (entry.negated ? 1 : 0));
    this.targets = graph.map((entry) => entry.targets);
    this.words = Math.ceil(graph.length / 32);
    // A node advances by at most its literal's length, or 2 code units for an astral code point.
    const longest = graph.reduce((most, { text }) => Math.max(most, text.length), 2);
    this.slots = longest + 1;
    this.ring = new Uint32Array(this.slots * this.words);
    const last = nodes.at(-1);
    this.suffix = last?.kind === 'literal' ? last.text : '';
  }

  /** Whether the whole key matches the pattern. Case-sensitive; never backtracks. */
  test(key: string): boolean {
    if (!key.endsWith(this.suffix)) return false;
    const { kinds, texts, words, ring, slots } = this;
    const length = key.length;
    ring.fill(0);
    // Node 0, where the pattern starts, is live at offset 0.
    ring[0] = 1;
    /** The furthest offset any live node reaches: past it, nothing can match. */
    let horizon = 0;
    let slot = 0;
    for (let at = 0; at < length; ) {
      if (at > horizon) return false;
      let code = key.charCodeAt(at);
      let width = 1;
      if (isHighSurrogate(code) && at + 1 < length) {
        const low = key.charCodeAt(at + 1);
        if (isLowSurrogate(low)) {
          code = ((code - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
          width = 2;
        }
      }
      let next = slot + width;
      if (next >= slots) next -= slots;
      const base = slot * words;
      for (let word = 0; word < words; word++) {
        // Re-read: visiting a node can reach later nodes in the same word.
        for (
          let bits = ring[base + word] as number;
          bits !== 0;
          bits = ring[base + word] as number
        ) {
          const lowest = bits & -bits;
          ring[base + word] = bits ^ lowest;
          const p = (word << 5) + 31 - Math.clz32(lowest);
          switch (kinds[p]) {
            case LITERAL: {
              const text = texts[p] as string;
              const end = at + text.length;
              if (!key.startsWith(text, at)) break;
              if (this.endsHigh[p] === 1 && isLowSurrogate(key.charCodeAt(end))) break;
              let into = slot + text.length;
              if (into >= slots) into -= slots;
              setBit(ring, into * words, p + 1);
              if (end > horizon) horizon = end;
              break;
            }
            case ONE:
              if (code === SLASH) break;
              setBit(ring, next * words, p + 1);
              if (at + width > horizon) horizon = at + width;
              break;
            case CLASS:
              if (!this.classAccepts(p, code)) break;
              setBit(ring, next * words, p + 1);
              if (at + width > horizon) horizon = at + width;
              break;
            case STAR:
            case GLOBSTAR:
              setBit(ring, base, p + 1);
              if (code === SLASH && kinds[p] === STAR) break;
              setBit(ring, next * words, p);
              if (at + width > horizon) horizon = at + width;
              break;
            default:
              this.followEpsilon(p, base);
          }
        }
      }
      at += width;
      slot = next;
    }
    return this.reachesAccept(slot * words);
  }

  /** Whether the end of the pattern is reached from the nodes in the bitset at `base`, consuming nothing. */
  private reachesAccept(base: number): boolean {
    const { kinds, ring, words } = this;
    for (let word = 0; word < words; word++) {
      for (let bits = ring[base + word] as number; bits !== 0; bits = ring[base + word] as number) {
        const lowest = bits & -bits;
        ring[base + word] = bits ^ lowest;
        const p = (word << 5) + 31 - Math.clz32(lowest);
        const kind = kinds[p];
        if (kind === ACCEPT) return true;
        if (kind === STAR || kind === GLOBSTAR) setBit(ring, base, p + 1);
        else this.followEpsilon(p, base);
      }
    }
    return false;
  }

  /** Marks the targets of a FORK or JUMP node in the bitset at `base`; other kinds have none. */
  private followEpsilon(p: number, base: number): void {
    for (const target of this.targets[p] as readonly number[]) setBit(this.ring, base, target);
  }

  private classAccepts(p: number, code: number): boolean {
    if (code === SLASH) return false;
    const ranges = this.ranges[p] as readonly number[];
    let listed = false;
    for (let i = 0; i < ranges.length && !listed; i += 2) {
      listed = (ranges[i] as number) <= code && code <= (ranges[i + 1] as number);
    }
    return listed !== (this.negated[p] === 1);
  }
}

/** Appends the automaton nodes of `nodes` to `graph`, in pattern order: whatever follows is the next node. */
function emit(nodes: readonly GlobNode[], graph: Node[]): void {
  for (const glob of nodes) {
    switch (glob.kind) {
      case 'literal':
        graph.push({ ...node(LITERAL), text: glob.text });
        break;
      case 'any-char':
        graph.push(node(ONE));
        break;
      case 'class':
        graph.push({ ...node(CLASS), ranges: glob.ranges.flat(), negated: glob.negated });
        break;
      case 'star':
        graph.push(node(STAR));
        break;
      case 'globstar':
        graph.push(node(GLOBSTAR));
        break;
      case 'braces': {
        const fork = node(FORK);
        graph.push(fork);
        const jumps: Node[] = [];
        for (const alternative of glob.alternatives) {
          fork.targets.push(graph.length);
          emit(alternative, graph);
          const jump = node(JUMP);
          jumps.push(jump);
          graph.push(jump);
        }
        for (const jump of jumps) jump.targets.push(graph.length);
        break;
      }
    }
  }
}

function node(kind: number): Node {
  return { kind, text: '', ranges: [], negated: false, targets: [] };
}

function setBit(bitsets: Uint32Array, base: number, bit: number): void {
  const at = base + (bit >>> 5);
  bitsets[at] = (bitsets[at] as number) | (1 << (bit & 31));
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
