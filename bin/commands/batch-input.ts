import { z } from 'zod';
import type { BatchEvent } from '../../lambdas/core/batching/batch-events.js';

const EVENT_LINE = z.object({
  time: z.iso.datetime({ offset: true }),
  bucket: z.string().min(1),
  key: z.string().min(1),
  type: z.enum(['created', 'deleted']),
  sequencer: z.string().min(1).optional(),
});

// zod's own messages name types, not what to write; these say what a line needs.
const FIELD_PROBLEMS: Record<string, string> = {
  time: '"time" must be an ISO-8601 instant with a time zone, e.g. "2024-05-01T12:00:00Z"',
  bucket: '"bucket" must be a non-empty string',
  key: '"key" must be a non-empty string',
  type: '"type" must be "created" or "deleted"',
  sequencer: '"sequencer" must be a non-empty string when present',
};

/** Events parsed from JSON lines, or the problems of every malformed line. */
export type ParsedEvents =
  | { readonly ok: true; readonly events: BatchEvent[] }
  | { readonly ok: false; readonly problems: string[] };

/**
 * Parses `batch simulate` input: one JSON object per line,
 * `{"time", "bucket", "key", "type", "sequencer"?}`. Blank lines are skipped
 * (but counted in line numbers); unknown fields are ignored so that event
 * logs with extra fields (size, eTag) can be fed as they are.
 *
 * @example
 * ```ts
 * const parsed = parseEventLines(['{"time":"2024-05-01T12:00:00Z","bucket":"b","key":"a/1","type":"created"}']);
 * ```
 */
export function parseEventLines(lines: readonly string[]): ParsedEvents {
  const events: BatchEvent[] = [];
  const problems: string[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const problem = (text: string) => problems.push(`line ${index + 1}: ${text}`);
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      problem(`not valid JSON (${(error as Error).message})`);
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problem(
        'must be a JSON object such as {"time": ..., "bucket": ..., "key": ..., "type": ...}',
      );
      return;
    }
    const parsed = EVENT_LINE.safeParse(value);
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0])))];
      problem(fields.map((field) => FIELD_PROBLEMS[field] ?? `"${field}" is invalid`).join('; '));
      return;
    }
    const { time, bucket, key, type, sequencer } = parsed.data;
    events.push({ time: Date.parse(time), bucket, key, type, sequencer });
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, events };
}
