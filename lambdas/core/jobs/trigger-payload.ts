import type { BatchMembers } from '../batching/batch-members.js';
import type { CloseReason } from '../batching/batch-state.js';
import { InvalidTriggerError } from './errors.js';
import { describeType } from './text-rules.js';

/**
 * The input property that carries a trigger task's trigger. A trigger task's
 * input is a JSON object; the trigger is stored next to the user's fields, so
 * a task record alone (no job look-up) is enough to rebuild the task, also
 * when it runs as a subtask. An automation writes
 * `{ ...prototypeInput, __trigger: <TriggerJson> }` as the root task's input.
 */
export const TRIGGER_INPUT_KEY = '__trigger';

/** Why a batch closed; `manual` for a `BatchTask.once()` run. */
export type BatchCloseReason = CloseReason | 'manual';

/** A cron fire, as stored. Times are ISO 8601 strings. */
export interface CronTriggerJson {
  readonly kind: 'cron';
  readonly fireTime: string;
  /** The 5-field expression that fired; null for a manual `once()` run. */
  readonly expression: string | null;
  /** IANA time zone the expression is evaluated in. */
  readonly timezone: string;
}

/** An object event, as stored. S3 sends no size or ETag for deletions. */
export interface StorageEventTriggerJson {
  readonly kind: 'storage';
  readonly type: 'created' | 'deleted';
  /** The storage location the event came from: `s3://bucket` or a local folder path. */
  readonly location: string;
  readonly bucket: string;
  readonly key: string;
  readonly size?: number | undefined;
  readonly etag?: string | undefined;
  /** S3's per-key event order; absent for manual runs and local folders. */
  readonly sequencer?: string | undefined;
  readonly eventTime: string;
}

/** A closed batch of object events under one key prefix, as stored. */
export interface BatchTriggerJson {
  readonly kind: 'batch';
  readonly batchId: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly count: number;
  readonly reason: BatchCloseReason;
  /** Where the member keys are: here in `keys`, or in the batches table when they do not fit a task input. */
  readonly members: BatchMembers;
  /** With `members.location` `inline`: one entry per counted event, in event order. */
  readonly keys?: readonly string[] | undefined;
  readonly firstEventAt: string;
  readonly lastEventAt: string;
}

/** Any trigger as JSON: in a task input under {@link TRIGGER_INPUT_KEY}, and as a job's `trigger`. */
export type TriggerJson = CronTriggerJson | StorageEventTriggerJson | BatchTriggerJson;

const CLOSE_REASONS: readonly BatchCloseReason[] = [
  'count',
  'quiet',
  'max-age',
  'marker',
  'manual',
];

/**
 * Checks that `value` is a {@link TriggerJson} and returns it typed. Throws
 * {@link InvalidTriggerError} naming the bad field: stored triggers come from
 * automations and `once()`, so a failure means a corrupt or foreign record.
 *
 * @example
 * ```ts
 * parseTriggerJson({ kind: 'cron', fireTime: '2030-01-01T00:00:00.000Z', expression: '0 * * * *', timezone: 'UTC' });
 * parseTriggerJson({ kind: 'cron' }); // throws: trigger.fireTime: must be an ISO 8601 time string, got undefined
 * ```
 */
export function parseTriggerJson(value: unknown, field = 'trigger'): TriggerJson {
  const record = plainObject(value, field);
  const read = new FieldReader(record, field);
  switch (record.kind) {
    case 'cron':
      return {
        kind: 'cron',
        fireTime: read.time('fireTime'),
        expression: record.expression === null ? null : read.text('expression'),
        timezone: read.text('timezone'),
      };
    case 'storage':
      return {
        kind: 'storage',
        type: read.oneOf('type', ['created', 'deleted'] as const),
        location: read.text('location'),
        bucket: read.text('bucket'),
        key: read.text('key'),
        size: read.optional('size', () => read.count('size')),
        etag: read.optional('etag', () => read.text('etag', true)),
        sequencer: read.optional('sequencer', () => read.text('sequencer')),
        eventTime: read.time('eventTime'),
      };
    case 'batch': {
      const members = readMembers(record.members, `${field}.members`);
      return {
        kind: 'batch',
        batchId: read.text('batchId'),
        bucket: read.text('bucket'),
        prefix: read.text('prefix', true),
        count: read.count('count'),
        reason: read.oneOf('reason', CLOSE_REASONS),
        members,
        ...(members.location === 'inline' ? { keys: read.texts('keys') } : {}),
        firstEventAt: read.time('firstEventAt'),
        lastEventAt: read.time('lastEventAt'),
      };
    }
    default:
      throw new InvalidTriggerError(
        `${field}.kind`,
        `${JSON.stringify(record.kind) ?? 'undefined'} is not a trigger kind`,
        "use 'cron', 'storage' or 'batch'",
      );
  }
}

/** A trigger's `members`; absent in triggers stored before references existed, which are inline. */
function readMembers(value: unknown, field: string): BatchMembers {
  if (value === undefined) return { location: 'inline' };
  const record = plainObject(value, field);
  const read = new FieldReader(record, field);
  const location = read.oneOf('location', ['inline', 'dynamodb'] as const);
  if (location === 'inline') return { location };
  const table = read.optional('table', () => read.text('table'));
  return { location, batchId: read.text('batchId'), ...(table ? { table } : {}) };
}

/**
 * A trigger task's stored input: its own fields plus the trigger under
 * {@link TRIGGER_INPUT_KEY}. The input must be a plain object that does not
 * use that key itself.
 *
 * @example
 * ```ts
 * withTriggerInput({ message: 'hi' }, trigger); // { message: 'hi', __trigger: trigger }
 * ```
 */
export function withTriggerInput(
  input: unknown,
  trigger: TriggerJson,
  field = 'input',
): Record<string, unknown> {
  const record = plainObject(input, field, 'a trigger task takes an object input');
  if (Object.hasOwn(record, TRIGGER_INPUT_KEY)) {
    throw new InvalidTriggerError(
      `${field}.${TRIGGER_INPUT_KEY}`,
      'is reserved for the trigger of a trigger task',
      'rename this input field',
    );
  }
  return { ...record, [TRIGGER_INPUT_KEY]: trigger };
}

/**
 * Splits a stored trigger task input into the user's fields and the trigger
 * (undefined when absent). The trigger is returned unchecked; pass it to
 * {@link parseTriggerJson}.
 *
 * @example
 * ```ts
 * splitTriggerInput({ message: 'hi', __trigger: t }); // { input: { message: 'hi' }, trigger: t }
 * ```
 */
export function splitTriggerInput(
  input: unknown,
  field = 'input',
): {
  input: Record<string, unknown>;
  trigger: unknown;
} {
  const record = plainObject(input, field, 'a trigger task takes an object input');
  const { [TRIGGER_INPUT_KEY]: trigger, ...rest } = record;
  return { input: rest, trigger };
}

/**
 * Reads a time given as a Date, an ISO 8601 string or epoch milliseconds and
 * returns its canonical ISO string (`toISOString()`).
 *
 * @example
 * ```ts
 * isoTime(0, 'fireTime'); // '1970-01-01T00:00:00.000Z'
 * ```
 */
export function isoTime(value: unknown, field: string): string {
  const date =
    value instanceof Date
      ? value
      : typeof value === 'string' || typeof value === 'number'
        ? new Date(value)
        : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw new InvalidTriggerError(
      field,
      `must be a Date, an ISO 8601 time string or epoch milliseconds, got ${describeValue(value)}`,
      "write e.g. new Date('2030-01-01T00:00:00Z')",
    );
  }
  return date.toISOString();
}

function plainObject(value: unknown, field: string, fix?: string): Record<string, unknown> {
  const prototype =
    typeof value === 'object' && value !== null ? Object.getPrototypeOf(value) : undefined;
  if (Array.isArray(value) || (prototype !== Object.prototype && prototype !== null)) {
    throw new InvalidTriggerError(
      field,
      `must be a plain JSON object, got ${describeType(value)}`,
      fix,
    );
  }
  return value as Record<string, unknown>;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : describeType(value);
}

class FieldReader {
  constructor(
    private readonly record: Record<string, unknown>,
    private readonly field: string,
  ) {}

  text(name: string, allowEmpty = false): string {
    const value = this.record[name];
    if (typeof value !== 'string' || (!allowEmpty && value === '')) {
      this.fail(
        name,
        `must be a ${allowEmpty ? '' : 'non-empty '}string, got ${describeValue(value)}`,
      );
    }
    return value;
  }

  texts(name: string): string[] {
    const value = this.record[name];
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
      this.fail(name, `must be an array of strings, got ${describeType(value)}`);
    }
    return [...(value as string[])];
  }

  count(name: string): number {
    const value = this.record[name];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      this.fail(name, `must be an integer >= 0, got ${describeValue(value)}`);
    }
    return value;
  }

  time(name: string): string {
    const value = this.record[name];
    if (typeof value !== 'string') {
      this.fail(name, `must be an ISO 8601 time string, got ${describeValue(value)}`);
    }
    return isoTime(value, `${this.field}.${name}`);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const value = this.record[name];
    if (!allowed.includes(value as T)) {
      this.fail(
        name,
        `must be one of ${allowed.map((item) => `'${item}'`).join(', ')}, got ${describeValue(value)}`,
      );
    }
    return value as T;
  }

  optional<T>(name: string, read: () => T): T | undefined {
    return this.record[name] === undefined ? undefined : read();
  }

  private fail(name: string, problem: string): never {
    throw new InvalidTriggerError(`${this.field}.${name}`, problem);
  }
}
