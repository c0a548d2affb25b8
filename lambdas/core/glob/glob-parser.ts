import { InvalidGlobError } from './errors.js';

/** An inclusive range of code points inside a `[...]` class. */
export type CodePointRange = readonly [low: number, high: number];

/**
 * One element of a parsed glob. Consecutive literal characters (escaped or
 * not) are merged into one `literal` node, so a pattern's literal prefix is
 * simply its first node when that node is a literal.
 */
export type GlobNode =
  | { readonly kind: 'literal'; readonly text: string }
  /** `*`: any run of characters except `/`. */
  | { readonly kind: 'star' }
  /** `**` (two or more asterisks written together): any run of characters, `/` included. */
  | { readonly kind: 'globstar' }
  /** `?`: one character except `/`. */
  | { readonly kind: 'any-char' }
  /** `[...]` / `[!...]`: one character (never `/`) in, or not in, the ranges. */
  | {
      readonly kind: 'class';
      readonly negated: boolean;
      readonly ranges: readonly CodePointRange[];
    }
  /** `{a,b}`: any one of the alternatives; alternatives may hold any node, braces included. */
  | { readonly kind: 'braces'; readonly alternatives: ReadonlyArray<readonly GlobNode[]> };

const SLASH = 0x2f;

/**
 * Longest pattern accepted: the longest S3 key. It also bounds the matching
 * automaton's work per key (pattern size × key length).
 */
export const MAX_GLOB_LENGTH = 1024;

/**
 * Parses a glob trigger pattern into nodes, rejecting invalid patterns with
 * an {@link InvalidGlobError} that names the 0-based position at fault.
 *
 * Dialect decisions the spec leaves open, all deliberate:
 * - a run of two or more asterisks is one `**`; asterisks that only meet
 *   through a brace (`*{*,a}`) stay single asterisks;
 * - `{a}` (one alternative) is that alternative, `{}` matches the empty run,
 *   and there are no numeric ranges (`{1..3}` is the literal `1..3`);
 * - a stray `]`, `}` or `,` outside its construct is literal, like in bash;
 * - `[!...]` and `[^...]` both negate; `]` right after `[` or `[!` closes an
 *   empty class (an error), so a literal `]` in a class is written `\]`;
 *   `-` first or last in a class is literal;
 * - a class that names `/` is rejected because classes never match `/`, and
 *   POSIX classes (`[[:alpha:]]`) are rejected because they are not supported.
 *
 * @example
 * ```ts
 * parseGlob('data/*.csv');
 * // [{ kind: 'literal', text: 'data/' }, { kind: 'star' }, { kind: 'literal', text: '.csv' }]
 * ```
 */
export function parseGlob(pattern: string): GlobNode[] {
  if (pattern.length === 0) {
    throw new InvalidGlobError(
      pattern,
      0,
      'empty pattern',
      "write a pattern such as '**' for every key",
    );
  }
  if (pattern.length > MAX_GLOB_LENGTH) {
    throw new InvalidGlobError(
      pattern.slice(0, 40) + '…',
      MAX_GLOB_LENGTH,
      `pattern is ${pattern.length} characters long, more than ${MAX_GLOB_LENGTH}`,
      'an S3 key has at most 1,024 bytes; shorten the pattern or split it into several triggers',
    );
  }
  return new GlobParser(pattern).parse();
}

class GlobParser {
  private index = 0;

  constructor(private readonly pattern: string) {}

  parse(): GlobNode[] {
    return this.sequence(false);
  }

  /** Reads nodes up to the end, or, inside braces, up to the `,` or `}` that ends the alternative. */
  private sequence(inBraces: boolean): GlobNode[] {
    const nodes: GlobNode[] = [];
    const pattern = this.pattern;
    while (this.index < pattern.length) {
      const char = pattern[this.index];
      if (inBraces && (char === ',' || char === '}')) break;
      switch (char) {
        case '*': {
          const start = this.index;
          while (pattern[this.index] === '*') this.index++;
          nodes.push(this.index - start >= 2 ? { kind: 'globstar' } : { kind: 'star' });
          break;
        }
        case '?':
          this.index++;
          nodes.push({ kind: 'any-char' });
          break;
        case '[':
          nodes.push(this.characterClass());
          break;
        case '{':
          for (const node of this.braces()) appendNode(nodes, node);
          break;
        case '\\':
          appendNode(nodes, { kind: 'literal', text: String.fromCodePoint(this.escaped()) });
          break;
        default:
          appendNode(nodes, { kind: 'literal', text: String.fromCodePoint(this.codePoint()) });
      }
    }
    return nodes;
  }

  /** Returns the nodes to splice in: one `braces` node, or the sole alternative's nodes. */
  private braces(): GlobNode[] {
    const open = this.index;
    this.index++;
    const alternatives: GlobNode[][] = [];
    for (;;) {
      alternatives.push(this.sequence(true));
      const char = this.pattern[this.index];
      if (char === undefined) {
        throw this.error(open, "unclosed '{'", "close it with '}' or escape it as '\\{'");
      }
      this.index++;
      if (char === '}') break;
    }
    // A single alternative is spliced in, so `x{a}y` is exactly `xay`.
    const [only] = alternatives;
    if (alternatives.length === 1 && only !== undefined) return only;
    return [{ kind: 'braces', alternatives }];
  }

  private characterClass(): GlobNode {
    const pattern = this.pattern;
    const open = this.index;
    this.index++;
    const negated = pattern[this.index] === '!' || pattern[this.index] === '^';
    if (negated) this.index++;
    if (pattern[this.index] === ']') {
      throw this.error(
        open,
        `empty class '${pattern.slice(open, this.index + 1)}'`,
        "put characters between the brackets, or escape a literal bracket as '\\[' or '\\]'",
      );
    }
    const ranges: CodePointRange[] = [];
    for (;;) {
      const char = pattern[this.index];
      if (char === undefined) {
        throw this.error(open, "unclosed '['", "close it with ']' or escape it as '\\['");
      }
      if (char === ']') {
        this.index++;
        return { kind: 'class', negated, ranges };
      }
      if (char === '[' && pattern[this.index + 1] === ':') {
        throw this.error(
          this.index,
          'POSIX character classes are not supported',
          'use ranges such as [a-z0-9], or escape the bracket as \\[',
        );
      }
      const lowStart = this.index;
      const low = this.classMember();
      let high = low;
      const next = pattern[this.index + 1];
      if (pattern[this.index] === '-' && next !== undefined && next !== ']') {
        this.index++;
        high = this.classMember();
        if (high < low) {
          const text = pattern.slice(lowStart, this.index);
          const fix = `write it as '${String.fromCodePoint(high)}-${String.fromCodePoint(low)}'`;
          throw this.error(lowStart, `reversed range '${text}'`, fix);
        }
      }
      ranges.push([low, high]);
    }
  }

  /** Reads one class member (escaped or not) and returns its code point. */
  private classMember(): number {
    const start = this.index;
    const point = this.pattern[this.index] === '\\' ? this.escaped() : this.codePoint();
    if (point === SLASH) {
      throw this.error(
        start,
        "'/' inside a class",
        "classes never match '/': remove it, or write '/' outside the brackets",
      );
    }
    return point;
  }

  /** Reads `\x` and returns the code point of `x`. */
  private escaped(): number {
    if (this.index + 1 >= this.pattern.length) {
      throw this.error(
        this.index,
        "trailing '\\' escapes nothing",
        "remove it, or write '\\\\' for a literal backslash",
      );
    }
    this.index++;
    return this.codePoint();
  }

  private codePoint(): number {
    const point = this.pattern.codePointAt(this.index) ?? 0;
    this.index += point > 0xffff ? 2 : 1;
    return point;
  }

  private error(position: number, problem: string, fix: string): InvalidGlobError {
    return new InvalidGlobError(this.pattern, position, problem, fix);
  }
}

/** Appends a node, merging adjacent literals so that affixes are single nodes. */
function appendNode(nodes: GlobNode[], node: GlobNode): void {
  const last = nodes.at(-1);
  if (node.kind === 'literal' && last?.kind === 'literal') {
    nodes[nodes.length - 1] = { kind: 'literal', text: last.text + node.text };
  } else {
    nodes.push(node);
  }
}
