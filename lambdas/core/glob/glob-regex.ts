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
