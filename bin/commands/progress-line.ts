/** Redraws at most this often. */
const REDRAW_MS = 100;
/** Cells of the bar. */
const BAR_WIDTH = 12;
const BLOCK = 3;

/**
 * A progress bar on a terminal: each update redraws one line in place (at
 * most ten times a second) with the text after a bar. A listing's length is
 * unknown until it ends, so the bar is indeterminate (a block sweeping
 * across) until `done`, which shows it full. On anything but a terminal (a
 * pipe, a file, CI logs) it prints nothing, so output stays clean.
 *
 * @example
 * ```ts
 * const progress = new ProgressLine(process.stderr);
 * progress.update('12 listed');
 * progress.done();
 * ```
 */
export class ProgressLine {
  readonly #stream: NodeJS.WriteStream;
  #last = '';
  #drawnAt = 0;
  #frame = 0;

  constructor(stream: NodeJS.WriteStream) {
    this.#stream = stream;
  }

  update(text: string): void {
    this.#last = text;
    if (!this.#stream.isTTY) return;
    const now = Date.now();
    if (now - this.#drawnAt < REDRAW_MS) return;
    this.#drawnAt = now;
    this.#draw(sweep(this.#frame++));
  }

  /** Draws the latest text after a full bar and ends the line. */
  done(): void {
    if (!this.#stream.isTTY || this.#last === '') return;
    this.#draw('#'.repeat(BAR_WIDTH));
    this.#stream.write('\n');
  }

  #draw(bar: string): void {
    const line = `[${bar}] ${this.#last}`;
    const width = Math.max(20, (this.#stream.columns ?? 80) - 1);
    // Carriage return and erase-line: the line is redrawn in place.
    this.#stream.write(`\r\u001b[2K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
  }
}

/** Frame `n` of the indeterminate bar: a block moving right, then left. */
function sweep(n: number): string {
  const span = BAR_WIDTH - BLOCK;
  const step = n % (2 * span);
  const at = step <= span ? step : 2 * span - step;
  return ' '.repeat(at) + '#'.repeat(BLOCK) + ' '.repeat(span - at);
}
