// Control characters break log lines, terminal output and DynamoDB key
// readability; lone surrogates cannot be encoded as UTF-8 at all.
const UNPRINTABLE = /[\p{Cc}\p{Cs}]/u;
// The same, with the line feed allowed (multi-line labels).
const UNPRINTABLE_BUT_LINE_FEED = /(?!\n)[\p{Cc}\p{Cs}]/u;

/**
 * Why `value` is not acceptable as a short user-facing text of at most
 * `maxChars` characters (code points), or undefined when it is. With
 * `lineBreaks`, a line feed (`\n`) is allowed; any other control character
 * (a carriage return too) never is.
 */
export function textProblem(
  value: unknown,
  maxChars: number,
  { lineBreaks = false }: { readonly lineBreaks?: boolean } = {},
): string | undefined {
  if (typeof value !== 'string') return `must be a string, got ${describeType(value)}`;
  if (value.length === 0) return 'must not be empty';
  const chars = value.length <= maxChars ? value.length : countCodePoints(value);
  if (chars > maxChars) return `is ${chars} characters long, more than the ${maxChars} allowed`;
  const bad = (lineBreaks ? UNPRINTABLE_BUT_LINE_FEED : UNPRINTABLE).exec(value);
  if (bad) {
    const code = bad[0].codePointAt(0) ?? 0;
    return `holds the unprintable character U+${code.toString(16).toUpperCase().padStart(4, '0')} at index ${bad.index}`;
  }
  return undefined;
}

/** A short description of a value's type for error messages. */
export function describeType(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function countCodePoints(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

// Control characters (C0, DEL, C1), lone surrogates and the bidirectional
// overrides and isolates, which can reorder what a terminal shows.
const UNSAFE_FOR_DISPLAY = /[\p{Cc}\p{Cs}\u202A-\u202E\u2066-\u2069]/gu;

/**
 * `text` with every character that could drive a terminal (escape
 * sequences that retitle or clear it, carriage returns that overwrite a
 * line, bidirectional overrides) written as a visible escape, for printing
 * object keys and other text users do not control.
 *
 * @example
 * ```ts
 * escapeForDisplay('a\u001b]0;pwned\u0007.txt'); // 'a\\x1B]0;pwned\\x07.txt'
 * ```
 */
export function escapeForDisplay(text: string): string {
  return text.replace(UNSAFE_FOR_DISPLAY, (char) => {
    const code = char.codePointAt(0) ?? 0;
    return code < 0x100
      ? `\\x${code.toString(16).toUpperCase().padStart(2, '0')}`
      : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
  });
}
