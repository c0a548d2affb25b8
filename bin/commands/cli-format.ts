import type { TaskStateCounts } from '../../lambdas/core/jobs/job-counts.js';
import { TASK_STATES } from '../../lambdas/core/jobs/task-state.js';
import { CORRELATION_KEYS } from '../../lambdas/sdk/task-logger.js';

/** Longest field value printed in a log line. */
const MAX_VALUE_LENGTH = 120;

/**
 * Formats rows as plain-text columns separated by two spaces, each as wide as
 * its widest cell, under an upper-case header; the last column is not padded.
 *
 * @example
 * ```ts
 * formatTable(['slug', 'name'], [['default', 'default']]); // 'SLUG     NAME\ndefault  default\n'
 * ```
 */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const all = [headers.map((header) => header.toUpperCase()), ...rows];
  const widths = headers.map((_, column) =>
    Math.max(...all.map((row) => (row[column] ?? '').length)),
  );
  return all
    .map((row) =>
      row
        .map((cell, column) =>
          column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0),
        )
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}

/**
 * `key: value` lines with the values aligned.
 *
 * @example
 * ```ts
 * formatFields([['id', '01J…'], ['state', 'QUEUED']]); // 'id:     01J…\nstate:  QUEUED\n'
 * ```
 */
export function formatFields(fields: readonly (readonly [string, string])[]): string {
  const width = Math.max(...fields.map(([key]) => key.length)) + 1;
  return fields.map(([key, value]) => `${`${key}:`.padEnd(width)}  ${value}\n`).join('');
}

/**
 * An epoch-ms time as ISO-8601 UTC to the second.
 *
 * @example
 * ```ts
 * formatTime(0); // '1970-01-01T00:00:00Z'
 * ```
 */
export function formatTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The non-zero task counts, in state order, e.g. `3 computed, 1 running`.
 *
 * @example
 * ```ts
 * formatCounts({ QUEUED: 1, RUNNING: 0, COMPUTED: 2, FAILED: 0, CANCELLED: 0 }); // '1 queued, 2 computed'
 * ```
 */
export function formatCounts(counts: TaskStateCounts): string {
  const parts = TASK_STATES.filter((state) => counts[state] > 0).map(
    (state) => `${counts[state]} ${state.toLowerCase()}`,
  );
  return parts.length > 0 ? parts.join(', ') : 'no tasks';
}

/**
 * A task's display (which may hold line breaks) on one line of terminal
 * output: each line break shown as ` ⏎ `.
 *
 * @example
 * ```ts
 * oneLine('Tile 7\nof 9'); // 'Tile 7 ⏎ of 9'
 * ```
 */
export function oneLine(display: string): string {
  return display.split('\n').join(' ⏎ ');
}

/**
 * A log line's own fields as ` key=value …` (long values cut), leaving out
 * the correlation keys a runner binds to every line of a task; '' when none.
 *
 * @example
 * ```ts
 * logFieldText({ jobId: '01J…', tiles: 4 }); // ' tiles=4'
 * ```
 */
export function logFieldText(fields: Readonly<Record<string, unknown>>): string {
  const shown = Object.entries(fields).filter(
    ([key, value]) => !CORRELATION_KEYS.has(key) && value !== undefined,
  );
  if (shown.length === 0) return '';
  return ` ${shown
    .map(([key, value]) => {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      return `${key}=${text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH)}…` : text}`;
    })
    .join(' ')}`;
}
