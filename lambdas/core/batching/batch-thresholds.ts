import type { CompiledGlob } from '../glob/glob.js';
import { InvalidBatchPolicyError } from './errors.js';
import { compileIgnorePatterns } from './ignore-patterns.js';

/** Quilt EDP's `BucketPrefixDepth` default. */
export const DEFAULT_PREFIX_DEPTH = 2;
/** Quilt EDP's `BucketThresholdEventCount` default. */
export const DEFAULT_BATCH_COUNT = 20;
/** Quilt EDP's `BucketThresholdDuration` default. */
export const DEFAULT_QUIET_SECONDS = 300;
/**
 * Upper bound of `count`, hence of the members of one batch: the member keys
 * travel in one DynamoDB item (400 KB), one EventBridge entry and one task
 * input (256 KB each), and S3 keys run up to 1 KB.
 */
export const MAX_BATCH_COUNT = 1_000;

/** When an open batch closes. Validated by {@link createBatchThresholds}. */
export interface BatchThresholds {
  /** Close when the batch holds this many events (also the cap on its members). */
  readonly count: number;
  /** Close when no event arrived for this many seconds. */
  readonly quietSeconds: number;
  /** Close when the first event is this many seconds old, however busy the prefix is. */
  readonly maxAgeSeconds?: number | undefined;
}

/** Thresholds plus what decides an event's batch: the prefix depth and the ignore patterns. */
export interface BatchPolicy extends BatchThresholds {
  /** Folders of the key that form the batch prefix; 0 batches a whole bucket together. */
  readonly prefixDepth: number;
  /** Ignore patterns as written. */
  readonly ignore: readonly string[];
  readonly ignoreGlobs: readonly CompiledGlob[];
}

/** What a user writes; every field is optional and defaults to EDP's behaviour. */
export interface BatchPolicyInput {
  readonly prefixDepth?: number | undefined;
  readonly count?: number | undefined;
  readonly quietSeconds?: number | undefined;
  readonly maxAgeSeconds?: number | undefined;
  readonly ignore?: readonly string[] | undefined;
}

/** How the fields are called where the user wrote them (`--quiet` on the CLI), for error messages. */
export type BatchFieldNames = Partial<Record<keyof BatchPolicyInput, string>>;

/**
 * Validates thresholds: `count` an integer from 1 to {@link MAX_BATCH_COUNT},
 * `quietSeconds` an integer >= 1, `maxAgeSeconds` (optional) an integer >=
 * `quietSeconds` (a smaller one would always close a batch before it could
 * go quiet). Throws {@link InvalidBatchPolicyError}.
 *
 * @example
 * ```ts
 * const thresholds = createBatchThresholds({ count: 20, quietSeconds: 300, maxAgeSeconds: 3600 });
 * ```
 */
export function createBatchThresholds(
  input: Omit<BatchPolicyInput, 'prefixDepth' | 'ignore'> = {},
  fieldNames: BatchFieldNames = {},
): BatchThresholds {
  const name = (field: keyof BatchPolicyInput) => fieldNames[field] ?? field;
  const count = input.count ?? DEFAULT_BATCH_COUNT;
  if (!Number.isInteger(count) || count < 1 || count > MAX_BATCH_COUNT) {
    throw new InvalidBatchPolicyError(
      name('count'),
      `must be an integer from 1 to ${MAX_BATCH_COUNT}, got ${String(count)}`,
      `use the number of events that make a batch, e.g. ${DEFAULT_BATCH_COUNT}`,
    );
  }
  const quietSeconds = input.quietSeconds ?? DEFAULT_QUIET_SECONDS;
  if (!Number.isInteger(quietSeconds) || quietSeconds < 1) {
    throw new InvalidBatchPolicyError(
      name('quietSeconds'),
      `must be an integer number of seconds >= 1, got ${String(quietSeconds)}`,
      `e.g. ${DEFAULT_QUIET_SECONDS} to close a batch after five quiet minutes`,
    );
  }
  const maxAgeSeconds = input.maxAgeSeconds;
  if (maxAgeSeconds !== undefined) {
    if (!Number.isInteger(maxAgeSeconds) || maxAgeSeconds < 1) {
      throw new InvalidBatchPolicyError(
        name('maxAgeSeconds'),
        `must be an integer number of seconds >= 1, got ${String(maxAgeSeconds)}`,
        'e.g. 3600 to close a busy batch after an hour, or leave it out for no maximum age',
      );
    }
    if (maxAgeSeconds < quietSeconds) {
      throw new InvalidBatchPolicyError(
        name('maxAgeSeconds'),
        `must be >= ${name('quietSeconds')} (${quietSeconds}), got ${maxAgeSeconds}; every batch would close by age before it could go quiet`,
        `raise ${name('maxAgeSeconds')} or lower ${name('quietSeconds')}`,
      );
    }
  }
  return Object.freeze({ count, quietSeconds, maxAgeSeconds });
}

/**
 * Validates a batch policy and compiles its ignore patterns. `prefixDepth`
 * must be an integer >= 0 (0 batches a whole bucket together; EDP's default
 * is 2). Throws {@link InvalidBatchPolicyError} or
 * {@link InvalidIgnorePatternError} naming the field (by `fieldNames` when given).
 *
 * @example
 * ```ts
 * const policy = createBatchPolicy({ prefixDepth: 2, count: 20, ignore: ['raw/*', 'scratch'] });
 * ```
 */
export function createBatchPolicy(
  input: BatchPolicyInput = {},
  fieldNames: BatchFieldNames = {},
): BatchPolicy {
  const prefixDepth = input.prefixDepth ?? DEFAULT_PREFIX_DEPTH;
  if (!Number.isInteger(prefixDepth) || prefixDepth < 0) {
    throw new InvalidBatchPolicyError(
      fieldNames.prefixDepth ?? 'prefixDepth',
      `must be an integer >= 0, got ${String(prefixDepth)}`,
      `use the number of leading folders that name a batch, e.g. ${DEFAULT_PREFIX_DEPTH}; 0 batches the whole bucket`,
    );
  }
  const thresholds = createBatchThresholds(input, fieldNames);
  const ignore = Object.freeze([...(input.ignore ?? [])]);
  const ignoreGlobs = Object.freeze(compileIgnorePatterns(ignore, fieldNames.ignore ?? 'ignore'));
  return Object.freeze({ ...thresholds, prefixDepth, ignore, ignoreGlobs });
}
