import { JOB_STATES, type JobState } from '../../../lambdas/core/jobs/task-state.js';
import { ConsoleRequestError } from './errors.js';

/** How far back the jobs list looks when `from` is left out: one or two month buckets. */
export const RECENT_JOBS_WINDOW_MS = 31 * 24 * 3_600_000;
/** Jobs listed when `?limit` is left out. */
export const DEFAULT_JOBS_LIMIT = 50;
/** Largest `?limit` of the jobs list (the job store's page size). */
export const MAX_JOBS_LIMIT = 1000;
/** Longest search text: an S3 key is at most 1,024 bytes. */
export const MAX_SEARCH_LENGTH = 1024;

const JOB_LIST_PARAMETERS = ['state', 'automation', 'from', 'to', 'q', 'limit', 'cursor'];

/** Where a jobs list page resumes: the time range, the store page and how much of it was read. */
export interface JobsCursor {
  /** `from` and `to` of the first page, so that later pages see the same jobs. */
  readonly from: number;
  readonly to: number;
  /** The job store's cursor of the page to read; undefined for its first page. */
  readonly store?: string | undefined;
  /** Jobs of that store page already looked at. */
  readonly skip: number;
  /** The store page size the skip counts in. */
  readonly pageSize: number;
}

/** `GET /api/jobs` parameters, validated. */
export interface JobListQuery {
  readonly states: ReadonlySet<JobState> | undefined;
  /** An automation id or name, resolved by the caller. */
  readonly automation: string | undefined;
  readonly from: number;
  readonly to: number;
  /** A job id, or text to find in the job's name or its trigger's object keys. */
  readonly search: string | undefined;
  readonly limit: number;
  readonly cursor: JobsCursor | undefined;
}

/**
 * The jobs list's query parameters, or a 400 naming the parameter and how to
 * fix it. A cursor carries the time range of the first page.
 *
 * @example
 * ```ts
 * parseJobListQuery(new URLSearchParams('state=FAILED&limit=20'), Date.now()).states; // Set { 'FAILED' }
 * ```
 */
export function parseJobListQuery(params: URLSearchParams, now: number): JobListQuery {
  for (const name of params.keys()) {
    if (!JOB_LIST_PARAMETERS.includes(name)) {
      throw new ConsoleRequestError(
        400,
        `${name}: not a parameter of /api/jobs (use ${JOB_LIST_PARAMETERS.join(', ')})`,
      );
    }
  }
  const cursor = optional(params, 'cursor', decodeJobsCursor);
  const to = cursor?.to ?? optional(params, 'to', (text) => parseTime('to', text)) ?? now + 1;
  const from =
    cursor?.from ??
    optional(params, 'from', (text) => parseTime('from', text)) ??
    Math.max(0, Math.min(now, to) - RECENT_JOBS_WINDOW_MS);
  if (from >= to) {
    throw new ConsoleRequestError(
      400,
      `from: ${new Date(from).toISOString()} is not before to ${new Date(to).toISOString()} (swap them, or leave one out)`,
    );
  }
  return {
    states: optional(params, 'state', parseStates),
    automation: optional(params, 'automation', (text) => text.trim() || undefined),
    from,
    to,
    search: optional(params, 'q', parseSearch),
    limit: parseLimit(params.get('limit')),
    cursor,
  };
}

/** `?limit`: an integer from 1 to {@link MAX_JOBS_LIMIT}. */
export function parseLimit(text: string | null): number {
  if (text === null) return DEFAULT_JOBS_LIMIT;
  const limit = /^\d{1,4}$/.test(text) ? Number(text) : Number.NaN;
  if (!(limit >= 1 && limit <= MAX_JOBS_LIMIT)) {
    throw new ConsoleRequestError(
      400,
      `limit: '${text}' is not an integer from 1 to ${MAX_JOBS_LIMIT} (e.g. ?limit=${DEFAULT_JOBS_LIMIT})`,
    );
  }
  return limit;
}

/** The cursor the next page starts from, as the API hands it out. */
export function encodeJobsCursor(cursor: JobsCursor): string {
  const { from, to, store, skip, pageSize } = cursor;
  return Buffer.from(JSON.stringify({ f: from, t: to, c: store, s: skip, n: pageSize })).toString(
    'base64url',
  );
}

function decodeJobsCursor(text: string): JobsCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const { f, t, c, s, n } = (parsed ?? {}) as Record<string, unknown>;
  const counts = [f, t, s, n].every((value) => Number.isSafeInteger(value) && Number(value) >= 0);
  if (!counts || Number(n) < 1 || (c !== undefined && typeof c !== 'string')) {
    throw new ConsoleRequestError(
      400,
      `cursor: '${text.slice(0, 40)}' is not a cursor of this list (pass the nextCursor of the previous page, or leave it out for the first page)`,
    );
  }
  return {
    from: Number(f),
    to: Number(t),
    store: c as string | undefined,
    skip: Number(s),
    pageSize: Number(n),
  };
}

function parseTime(name: 'from' | 'to', text: string): number {
  const epoch = /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
  // A date alone is UTC midnight; a time of day needs its zone, so no host's zone is guessed.
  const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(
    text,
  )
    ? Date.parse(text)
    : Number.NaN;
  const time = Number.isNaN(epoch) ? iso : epoch;
  if (!(time >= 0 && time <= 8.64e15)) {
    throw new ConsoleRequestError(
      400,
      `${name}: '${text}' is not a time (use ISO 8601 with a zone, e.g. 2026-03-01T08:00:00Z, a date such as 2026-03-01, or epoch ms)`,
    );
  }
  return time;
}

function parseStates(text: string): ReadonlySet<JobState> {
  const parts = text.split(',').map((part) => part.trim());
  for (const part of parts) {
    if (!(JOB_STATES as readonly string[]).includes(part.toUpperCase())) {
      throw new ConsoleRequestError(
        400,
        `state: '${part}' is not a job state (use one or more of ${JOB_STATES.join(', ')}, comma-separated)`,
      );
    }
  }
  return new Set(parts.map((part) => part.toUpperCase() as JobState));
}

function parseSearch(text: string): string | undefined {
  if (text.length > MAX_SEARCH_LENGTH) {
    throw new ConsoleRequestError(
      400,
      `q: ${text.length} characters is longer than ${MAX_SEARCH_LENGTH} (search a job id or part of an object key)`,
    );
  }
  return text.trim() || undefined;
}

function optional<T>(
  params: URLSearchParams,
  name: string,
  parse: (text: string) => T,
): T | undefined {
  const text = params.get(name);
  return text === null || text === '' ? undefined : parse(text);
}
