import { z } from 'zod';
import {
  batchingWindowMissing,
  DLQ_MAX_RECEIVE_COUNT,
  EVENT_ARCHIVE_RETENTION_DAYS,
  INGEST_AGE_ALARM_SECONDS,
  INGEST_BATCH_SIZE,
  INGEST_BATCH_SIZE_MAX,
  INGEST_BATCH_WINDOW_SECONDS,
  INGEST_BATCH_WINDOW_SECONDS_MAX,
  LOG_RETENTION_CHOICES,
  LOG_RETENTION_DAYS,
  SCHEDULE_PERIOD_MINUTES,
  SCHEDULE_PERIOD_MINUTES_MAX,
  SQS_BATCH_SIZE_WITHOUT_WINDOW_MAX,
  TASK_QUEUE_PREFIX,
} from './constants.js';
import { InvalidContextError } from './errors.js';
import { bucketNameProblem, queuePrefixProblem } from './names.js';

/** The config module the app loads when `bucketflow:config` is not set (skipped when absent). */
export const DEFAULT_CONFIG_FILE = 'bucketflow.config.ts';

/** The deployment settings `bin/app.ts` reads from the `bucketflow:*` context keys (the config module aside). */
export interface AppSettings {
  readonly sourceBuckets: readonly string[];
  readonly createDemoBucket: boolean;
  readonly ingestBatchSize: number;
  readonly ingestBatchWindowSeconds: number;
  readonly sweepPeriodMinutes: number;
  readonly cronPeriodMinutes: number;
  readonly reconcilePeriodMinutes: number;
  readonly logRetentionDays: number;
  readonly eventArchiveRetentionDays: number;
  readonly ingestAgeAlarmSeconds: number;
  readonly alarmTopicArn: string | undefined;
  /** Path of the config module (relative to the app's directory); '' for none. */
  readonly config: string;
  readonly removalPolicy: 'retain' | 'destroy';
  readonly taskQueuePrefix: string;
  readonly dlqMaxReceiveCount: number;
}

// `cdk synth -c key=value` hands every value over as a string, cdk.json keeps
// JSON types: accept both spellings of numbers, booleans and lists.
const fromIntegerString = (value: unknown) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
const fromBooleanString = (value: unknown) =>
  value === 'true' ? true : value === 'false' ? false : value;
const fromListString = (value: unknown) => {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (text.startsWith('[')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return value;
    }
  }
  return text === '' ? [] : text.split(',').map((item) => item.trim());
};

const integer = (min: number, max: number, why?: string) => {
  const message = `must be an integer ${min}-${max}${why ? ` (${why})` : ''}`;
  return z.preprocess(
    fromIntegerString,
    z
      .number({ error: message })
      .int({ error: message })
      .min(min, { error: message })
      .max(max, { error: message }),
  );
};

const nameList = (what: string, problemOf: (name: string) => string | undefined) =>
  z.preprocess(
    fromListString,
    z
      .array(z.string({ error: `must list ${what} as strings` }), {
        error: `must be a list of ${what} (a JSON array, or comma-separated with -c)`,
      })
      .superRefine((names, ctx) => {
        const seen = new Set<string>();
        for (const name of names) {
          const problem = problemOf(name);
          if (problem)
            ctx.addIssue({ code: 'custom', message: `${JSON.stringify(name)} ${problem}` });
          if (seen.has(name)) ctx.addIssue({ code: 'custom', message: `lists ${name} twice` });
          seen.add(name);
        }
      }),
  );

const retentionMessage = `must be one of the CloudWatch Logs retention periods ${LOG_RETENTION_CHOICES.join(', ')}`;

interface KeySpec {
  readonly schema: z.ZodType;
  readonly fallback: unknown;
  /** A value that works, shown in the error's fix. */
  readonly example: string;
}

/** Every context key the app reads, with its schema and default. */
export const CONTEXT_KEYS = {
  sourceBuckets: {
    schema: nameList('S3 bucket names', bucketNameProblem),
    fallback: [],
    example: '["my-data-bucket"]',
  },
  createDemoBucket: {
    schema: z.preprocess(fromBooleanString, z.boolean({ error: 'must be true or false' })),
    fallback: false,
    example: 'true',
  },
  ingestBatchSize: {
    schema: integer(1, INGEST_BATCH_SIZE_MAX, 'SQS batch size limit'),
    fallback: INGEST_BATCH_SIZE,
    example: String(INGEST_BATCH_SIZE),
  },
  ingestBatchWindowSeconds: {
    schema: integer(0, INGEST_BATCH_WINDOW_SECONDS_MAX, 'Lambda batching window limit'),
    fallback: INGEST_BATCH_WINDOW_SECONDS,
    example: String(INGEST_BATCH_WINDOW_SECONDS),
  },
  sweepPeriodMinutes: schedulePeriod(),
  cronPeriodMinutes: schedulePeriod(),
  reconcilePeriodMinutes: schedulePeriod(),
  logRetentionDays: {
    schema: z.preprocess(
      fromIntegerString,
      z
        .number({ error: retentionMessage })
        .refine((days) => (LOG_RETENTION_CHOICES as readonly number[]).includes(days), {
          error: retentionMessage,
        }),
    ),
    fallback: LOG_RETENTION_DAYS,
    example: String(LOG_RETENTION_DAYS),
  },
  eventArchiveRetentionDays: {
    schema: integer(0, 36_500, '0 keeps events forever'),
    fallback: EVENT_ARCHIVE_RETENTION_DAYS,
    example: String(EVENT_ARCHIVE_RETENTION_DAYS),
  },
  ingestAgeAlarmSeconds: {
    schema: integer(60, 1_209_600, 'at most the 14-day SQS retention'),
    fallback: INGEST_AGE_ALARM_SECONDS,
    example: String(INGEST_AGE_ALARM_SECONDS),
  },
  alarmTopicArn: {
    schema: z
      .string({ error: 'must be an SNS topic ARN' })
      .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, {
        error: 'must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)',
      })
      .optional(),
    fallback: undefined,
    example: 'arn:aws:sns:eu-west-1:123456789012:ops-alarms',
  },
  config: {
    schema: z
      .string({ error: 'must be the path of a config module, or "" for none' })
      .refine((path) => path === '' || /\.[cm]?[jt]s$/.test(path), {
        error: 'must be the path of a .ts or .js config module, or "" for none',
      }),
    fallback: DEFAULT_CONFIG_FILE,
    example: `"${DEFAULT_CONFIG_FILE}"`,
  },
  removalPolicy: {
    schema: z.enum(['retain', 'destroy'], { error: 'must be "retain" or "destroy"' }),
    fallback: 'retain',
    example: 'retain',
  },
  taskQueuePrefix: {
    schema: z.string({ error: 'must be a string' }).superRefine((prefix, ctx) => {
      const problem = queuePrefixProblem(prefix);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    fallback: TASK_QUEUE_PREFIX,
    example: TASK_QUEUE_PREFIX,
  },
  dlqMaxReceiveCount: {
    schema: integer(1, 1000, 'SQS redrive policy limit'),
    fallback: DLQ_MAX_RECEIVE_COUNT,
    example: String(DLQ_MAX_RECEIVE_COUNT),
  },
} satisfies Record<keyof AppSettings, KeySpec>;

function schedulePeriod(): KeySpec {
  return {
    schema: integer(1, SCHEDULE_PERIOD_MINUTES_MAX, 'EventBridge rates start at 1 minute'),
    fallback: SCHEDULE_PERIOD_MINUTES,
    example: String(SCHEDULE_PERIOD_MINUTES),
  };
}

/** Prefix of every context key bucketflow reads. */
export const CONTEXT_PREFIX = 'bucketflow:';

/** Keys of earlier releases, with where their setting lives now. */
const MOVED_KEYS: Readonly<Record<string, string>> = {
  lambdaRunnerClusters:
    "Lambda runners are declared in the config: clusters: { <slug>: { runner: { kind: 'lambda' }, taskModules: ['./tasks.ts'] } } in bucketflow.config.ts",
};

/**
 * Validates the `bucketflow:*` keys of a CDK app's context and fills in the
 * defaults. Unknown `bucketflow:*` keys are rejected (a typo would otherwise
 * be silently ignored).
 *
 * @throws InvalidContextError naming the context key, the value and a fix.
 * @example
 * ```ts
 * const config = parseBucketflowContext(app.node.getAllContext());
 * ```
 */
export function parseBucketflowContext(context: Record<string, unknown>): AppSettings {
  const known = Object.keys(CONTEXT_KEYS);
  for (const key of Object.keys(context)) {
    if (!key.startsWith(CONTEXT_PREFIX)) continue;
    const name = key.slice(CONTEXT_PREFIX.length);
    if (known.includes(name)) continue;
    const moved = MOVED_KEYS[name];
    if (moved) throw new InvalidContextError(key, 'is no longer a bucketflow setting', moved);
    const suggestion = closest(name, known);
    throw new InvalidContextError(
      key,
      'is not a bucketflow setting',
      suggestion
        ? `did you mean ${CONTEXT_PREFIX}${suggestion}?`
        : `known keys: ${known.map((k) => CONTEXT_PREFIX + k).join(', ')}`,
    );
  }
  const config: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(CONTEXT_KEYS) as [string, KeySpec][]) {
    const key = `${CONTEXT_PREFIX}${name}`;
    const raw = context[key];
    if (raw === undefined || raw === null) {
      config[name] = spec.fallback;
      continue;
    }
    const result = spec.schema.safeParse(raw);
    if (!result.success) {
      const problem = result.error.issues[0]?.message ?? 'is invalid';
      throw new InvalidContextError(
        key,
        `${problem}, got ${JSON.stringify(raw)}`,
        `set "${key}": ${spec.example} in cdk.json, or pass -c ${key}=...`,
      );
    }
    config[name] = result.data;
  }
  const parsed = config as unknown as AppSettings;
  if (batchingWindowMissing(parsed.ingestBatchSize, parsed.ingestBatchWindowSeconds)) {
    const key = `${CONTEXT_PREFIX}ingestBatchWindowSeconds`;
    const max = SQS_BATCH_SIZE_WITHOUT_WINDOW_MAX;
    throw new InvalidContextError(
      key,
      `must be at least 1 when ${CONTEXT_PREFIX}ingestBatchSize is above ${max} (Lambda needs a batching window for SQS batches larger than ${max}), got 0`,
      `set ${key} to ${INGEST_BATCH_WINDOW_SECONDS} or ${CONTEXT_PREFIX}ingestBatchSize to ${max} or less`,
    );
  }
  return parsed;
}

/** The candidate within edit distance 3 of `name` (case-insensitive), if any. */
function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance <= 3 && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
