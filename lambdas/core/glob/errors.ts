import { ValidationError } from '../errors.js';

/**
 * A glob trigger pattern cannot be compiled. `position` is the 0-based column
 * (UTF-16 code unit) of the character at fault; {@link InvalidGlobError.pointer}
 * renders the pattern with a caret under it for terminal output.
 *
 * @example
 * ```ts
 * try {
 *   compileGlob('data/[a-z');
 * } catch (error) {
 *   if (error instanceof InvalidGlobError) console.error(`${error.message}\n${error.pointer}`);
 * }
 * ```
 */
export class InvalidGlobError extends ValidationError {
  readonly pattern: string;
  readonly position: number;

  constructor(pattern: string, position: number, problem: string, fix: string) {
    super(`glob '${pattern}'`, `${problem} at position ${position}`, fix);
    this.pattern = pattern;
    this.position = position;
  }

  /** Two lines: the pattern, and a caret under the character at {@link position}. */
  get pointer(): string {
    return `  ${this.pattern}\n  ${' '.repeat(this.position)}^`;
  }
}
