import type { CompiledGlob } from '../glob/glob.js';
import { BATCH_RETENTION_MS } from '../retention.js';
import { InvalidBatchPolicyError } from './errors.js';
import { compileIgnorePatterns } from './ignore-patterns.js';
import { compileMarker, type MarkerMatcher } from './marker.js';

/** Quilt EDP's `BucketPrefixDepth` default. */
export const DEFAULT_PREFIX_DEPTH = 2;
/** Quilt EDP's `BucketThresholdEventCount` default. */
export const DEFAULT_BATCH_COUNT = 20;
/** Quilt EDP's `BucketThresholdDuration` default. */
export const DEFAULT_QUIET_SECONDS = 300;
/** Upper bound of `prefixDepth`: S3 keys run to 1,024 bytes, so no key has more folders. */
export const MAX_PREFIX_DEPTH = 1024;
/**
 * Upper bound of `count`, hence of the members of one batch. Members are
 * stored in items of up to 350 KB and travel by reference when they do not
 * fit an event or a task input, so the bound is what one BatchTask can
 * reasonably read: 10,000 keys of up to 1 KB are 10 MB.
 */
export const MAX_BATCH_COUNT = 10_000;
/**
 * Upper bound of `quietSeconds` and `maxAgeSeconds`: the members'
 * retention ({@link BATCH_RETENTION_MS}, 14 days). Longer waits would
 * outlive the records a batch is dispatched from, and deadlines stay
 * valid dates.
 */
export const MAX_BATCH_WAIT_SECONDS = BATCH_RETENTION_MS / 1000;

/** When an open batch closes. Validated by {@link createBatchThresholds}. */
export interface BatchThresholds {
  /** Close when the batch holds this many events (also the cap on its members). */
  readonly count: number;
  /** Close when no event arrived for this many seconds. */
  readonly quietSeconds: number;
  /** Close when the first event is this many seconds old, however busy the prefix is. */
  readonly maxAgeSeconds?: number | undefined;
}

/** Thresholds plus what decides an event's batch: the prefix depth, the ignore patterns and the marker. */
export interface BatchPolicy extends BatchThresholds {
  /** Folders of the key that form the batch prefix; 0 batches a whole bucket together. */
  readonly prefixDepth: number;
  /** Ignore patterns as written. */
  readonly ignore: readonly string[];
  readonly ignoreGlobs: readonly CompiledGlob[];
  /** The marker glob as written (`_SUCCESS`, `**\/manifest.json`); an object matching it closes its prefix's batch. */
  readonly marker?: string | undefined;
  readonly markerMatcher?: MarkerMatcher | undefined;
  /** Whether the marker object is a member of the batch it closes. */
  readonly markerIsMember: boolean;
}

/** What a user writes; every field is optional and defaults to EDP's behaviour. */
export interface BatchPolicyInput {
  readonly prefixDepth?: number | undefined;
  readonly count?: number | undefined;
  readonly quietSeconds?: number | undefined;
  readonly maxAgeSeconds?: number | undefined;
  readonly ignore?: readonly string[] | undefined;
  readonly marker?: string | undefined;
  /** @default true */
  readonly markerIsMember?: boolean | undefined;
}

/** How the fields are called where the user wrote them (`--quiet` on the CLI), for error messages. */
export type BatchFieldNames = Partial<Record<keyof BatchPolicyInput, string>>;

/**
 * Validates thresholds: `count` an integer from 1 to {@link MAX_BATCH_COUNT},
 * `quietSeconds` an integer from 1 to {@link MAX_BATCH_WAIT_SECONDS},
 * `maxAgeSeconds` (optional) an integer from `quietSeconds` (a smaller one
 * would always close a batch before it could go quiet) to
 * {@link MAX_BATCH_WAIT_SECONDS}. Throws {@link InvalidBatchPolicyError}
 * naming the field and the range.
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
  if (!isSecondsInRange(quietSeconds)) {
    throw new InvalidBatchPolicyError(
      name('quietSeconds'),
      `must be an integer number of seconds from 1 to ${MAX_BATCH_WAIT_SECONDS} (14 days, the members' retention), got ${String(quietSeconds)}`,
      `e.g. ${DEFAULT_QUIET_SECONDS} to close a batch after five quiet minutes`,
    );
  }
  const maxAgeSeconds = input.maxAgeSeconds;
  if (maxAgeSeconds !== undefined) {
    if (!isSecondsInRange(maxAgeSeconds)) {
      throw new InvalidBatchPolicyError(
        name('maxAgeSeconds'),
        `must be an integer number of seconds from 1 to ${MAX_BATCH_WAIT_SECONDS} (14 days, the members' retention), got ${String(maxAgeSeconds)}`,
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

function isSecondsInRange(value: unknown): value is number {
  return Number.isInteger(value) && Number(value) >= 1 && Number(value) <= MAX_BATCH_WAIT_SECONDS;
}

/**
 * Validates a batch policy and compiles its ignore patterns and marker.
 * `prefixDepth` must be an integer from 0 to {@link MAX_PREFIX_DEPTH} (0
 * batches a whole bucket together; EDP's default is 2). Throws
 * {@link InvalidBatchPolicyError} or {@link InvalidPolicyGlobError}
 * naming the field (by `fieldNames` when given).
 *
 * @example
 * ```ts
 * const policy = createBatchPolicy({ prefixDepth: 2, count: 20, ignore: ['raw/*', 'scratch'], marker: '_SUCCESS' });
 * ```
 */
export function createBatchPolicy(
  input: BatchPolicyInput = {},
  fieldNames: BatchFieldNames = {},
): BatchPolicy {
  const prefixDepth = input.prefixDepth ?? DEFAULT_PREFIX_DEPTH;
  if (!Number.isInteger(prefixDepth) || prefixDepth < 0 || prefixDepth > MAX_PREFIX_DEPTH) {
    throw new InvalidBatchPolicyError(
      fieldNames.prefixDepth ?? 'prefixDepth',
      `must be an integer from 0 to ${MAX_PREFIX_DEPTH}, got ${String(prefixDepth)}`,
      `use the number of leading folders that name a batch, e.g. ${DEFAULT_PREFIX_DEPTH}; 0 batches the whole bucket`,
    );
  }
  const thresholds = createBatchThresholds(input, fieldNames);
  const ignore = Object.freeze([...(input.ignore ?? [])]);
  const ignoreGlobs = Object.freeze(compileIgnorePatterns(ignore, fieldNames.ignore ?? 'ignore'));
  const markerIsMember = input.markerIsMember ?? true;
  if (typeof markerIsMember !== 'boolean') {
    throw new InvalidBatchPolicyError(
      fieldNames.markerIsMember ?? 'markerIsMember',
      `must be true or false, got ${String(markerIsMember)}`,
      'true (the default) makes the marker object the last member of the batch it closes',
    );
  }
  const marker = input.marker;
  if (marker !== undefined && (typeof marker !== 'string' || marker === '')) {
    throw new InvalidBatchPolicyError(
      fieldNames.marker ?? 'marker',
      `must be a non-empty glob, got ${JSON.stringify(marker)}`,
      "e.g. '_SUCCESS' (any folder) or '**/manifest.json' (matched against the whole key)",
    );
  }
  const markerMatcher =
    marker === undefined ? undefined : compileMarker(marker, fieldNames.marker ?? 'marker');
  return Object.freeze({
    ...thresholds,
    prefixDepth,
    ignore,
    ignoreGlobs,
    ...(marker === undefined ? {} : { marker, markerMatcher }),
    markerIsMember,
  });
}
