import { createBatchPolicy } from '../batching/batch-thresholds.js';
import { CATCH_UP_POLICIES, type CatchUpPolicy } from '../cron/catch-up.js';
import { parseCronSchedule } from '../cron/cron-schedule.js';
import { BucketflowError } from '../errors.js';
import { validateGlob } from '../glob/glob.js';
import type { TaskIdentifier } from '../jobs/task-identifier.js';
import type { JsonValue } from '../jobs/task-input.js';
import { validateTaskSpec } from '../jobs/task-spec.js';
import { describeType, textProblem } from '../jobs/text-rules.js';
import { isClusterSlug } from './cluster-slug.js';
import { InvalidAutomationError } from './errors.js';
import { validateLocationName } from './storage-location.js';

/** Longest automation name, in characters. */
export const MAX_AUTOMATION_NAME_LENGTH = 256;
/** Most storage or cron triggers of one automation (locations are checked in one transaction). */
export const MAX_TRIGGERS = 50;

/** Which trigger an automation has; it decides the root task's type. */
export type AutomationKind = 'storage' | 'batch' | 'cron';

/** Every created object whose key matches `glob` in `location` submits a job. */
export interface StorageTrigger {
  readonly location: string;
  readonly glob: string;
}

/** Object events of `location` are batched per key prefix; each closed batch emits an event and/or submits a job. */
export interface BatchTrigger {
  readonly location: string;
  readonly prefixDepth: number;
  readonly count: number;
  readonly quietSeconds: number;
  readonly maxAgeSeconds?: number | undefined;
  readonly ignore: readonly string[];
  /** An object matching this glob closes its prefix's batch at once (reason `marker`). */
  readonly marker?: string | undefined;
  /** Whether the marker object is a member of the batch it closes. */
  readonly markerIsMember: boolean;
  /** Put an `objects-batch-ready` event on the bus. */
  readonly emitEvent: boolean;
  /** Submit a job whose root task is a BatchTask. */
  readonly submitJob: boolean;
}

/** A 5-field cron expression on an IANA zone's wall clock. */
export interface CronTrigger {
  readonly expression: string;
  readonly timezone: string;
  readonly catchUp: CatchUpPolicy;
}

export interface AutomationTriggers {
  readonly storage: readonly StorageTrigger[];
  readonly batch?: BatchTrigger | undefined;
  readonly cron: readonly CronTrigger[];
}

/** The root task of every job the automation submits. */
export interface AutomationTask {
  readonly identifier: TaskIdentifier;
  readonly input: JsonValue;
  readonly display?: string | undefined;
  readonly maxRetries: number;
}

/** A validated automation, before the store gives it an id and a cluster. */
export interface AutomationDefinition {
  readonly name: string;
  readonly kind: AutomationKind;
  /** Cluster slug; undefined means the default cluster. */
  readonly cluster: string | undefined;
  /** Absent only for a batch automation that emits events and submits no job. */
  readonly task?: AutomationTask | undefined;
  readonly triggers: AutomationTriggers;
  readonly enabled: boolean;
}

/** What a user writes; defaults are filled in by {@link validateAutomation}. */
export interface AutomationInput {
  readonly name: string;
  readonly cluster?: string | undefined;
  readonly task?:
    | {
        readonly identifier: { readonly name: string; readonly version?: string | undefined };
        readonly input?: unknown;
        readonly display?: string | undefined;
        readonly maxRetries?: number | undefined;
      }
    | undefined;
  readonly triggers: {
    readonly storage?: readonly StorageTrigger[] | undefined;
    readonly batch?:
      | (Partial<Omit<BatchTrigger, 'location'>> & { readonly location: string })
      | undefined;
    readonly cron?:
      | readonly (
          | string
          | {
              readonly expression: string;
              readonly timezone?: string | undefined;
              readonly catchUp?: CatchUpPolicy | undefined;
            }
        )[]
      | undefined;
  };
  /** @default true */
  readonly enabled?: boolean | undefined;
}

/**
 * Validates an automation where the user writes it: name, exactly one kind
 * of trigger (storage globs, one batch trigger, or cron expressions), each
 * glob, cron expression, time zone and batching threshold, the task, and the
 * cluster slug's shape. Errors name the field (`triggers.cron[1]`) and wrap
 * the glob, cron or batching error. Whether the cluster and locations exist
 * is the store's check.
 *
 * @example
 * ```ts
 * validateAutomation({
 *   name: 'thumbnails',
 *   task: { identifier: { name: 'Thumbnail', version: 'v1.0' }, input: { size: 256 } },
 *   triggers: { storage: [{ location: 'scenes', glob: '**.tif' }] },
 * }).kind; // 'storage'
 * ```
 */
export function validateAutomation(input: AutomationInput): AutomationDefinition {
  const nameProblem = textProblem(input?.name, MAX_AUTOMATION_NAME_LENGTH);
  if (nameProblem) throw new InvalidAutomationError('name', nameProblem, "e.g. 'thumbnails'");
  if (input.cluster !== undefined && !isClusterSlug(input.cluster)) {
    throw new InvalidAutomationError(
      'cluster',
      `${JSON.stringify(input.cluster)} is not a cluster slug`,
      "use the slug the cluster was created with, e.g. 'gpu-runners-4Kx9aB2q', or leave it out for the default cluster",
    );
  }
  const triggers = validateTriggers(input.triggers);
  const kind: AutomationKind =
    triggers.batch !== undefined ? 'batch' : triggers.storage.length > 0 ? 'storage' : 'cron';
  const needsTask = kind !== 'batch' || triggers.batch?.submitJob === true;
  if (input.task === undefined && needsTask) {
    throw new InvalidAutomationError(
      'task',
      `is required: a ${kind} automation submits jobs`,
      'name the task to run, e.g. { identifier: { name: "Thumbnail", version: "v1.0" }, input: {} }',
    );
  }
  return {
    name: input.name,
    kind,
    cluster: input.cluster,
    task: input.task === undefined ? undefined : validateTask(input.task),
    triggers,
    enabled: input.enabled ?? true,
  };
}

function validateTask(task: NonNullable<AutomationInput['task']>): AutomationTask {
  const spec = validateTaskSpec(
    {
      identifier: task.identifier as TaskIdentifier,
      input: task.input ?? {},
      display: task.display,
      maxRetries: task.maxRetries,
    },
    'task',
  );
  return {
    identifier: spec.identifier,
    input: JSON.parse(spec.inputJson) as JsonValue,
    ...(task.display === undefined ? {} : { display: spec.display }),
    maxRetries: spec.maxRetries,
  };
}

function validateTriggers(input: AutomationInput['triggers']): AutomationTriggers {
  if (typeof input !== 'object' || input === null) {
    throw new InvalidAutomationError('triggers', `must be an object, got ${describeType(input)}`);
  }
  const storage = list(input.storage, 'triggers.storage').map((trigger, index) => {
    const field = `triggers.storage[${index}]`;
    return {
      location: validateLocationName(trigger?.location, `${field}.location`),
      glob: wrap(`${field}.glob`, () => {
        validateGlob(trigger.glob);
        return trigger.glob;
      }),
    };
  });
  const cron = list(input.cron, 'triggers.cron').map((trigger, index) =>
    validateCron(trigger, `triggers.cron[${index}]`),
  );
  const batch = input.batch === undefined ? undefined : validateBatch(input.batch);
  const kinds = [storage.length > 0, batch !== undefined, cron.length > 0].filter(Boolean).length;
  if (kinds !== 1) {
    throw new InvalidAutomationError(
      'triggers',
      kinds === 0
        ? 'names no trigger'
        : 'mixes trigger kinds; the kind decides the root task (StorageEventTask, BatchTask or CronTask)',
      'give exactly one of: storage (glob triggers), batch, cron; create one automation per kind',
    );
  }
  return { storage, ...(batch ? { batch } : {}), cron };
}

function validateCron(
  trigger: NonNullable<AutomationInput['triggers']['cron']>[number],
  field: string,
): CronTrigger {
  const spec = typeof trigger === 'string' ? { expression: trigger } : trigger;
  const catchUp = spec?.catchUp ?? 'all';
  if (!CATCH_UP_POLICIES.includes(catchUp)) {
    throw new InvalidAutomationError(
      `${field}.catchUp`,
      `${JSON.stringify(catchUp)} is not a catch-up policy`,
      `use one of ${CATCH_UP_POLICIES.join(', ')}`,
    );
  }
  const schedule = wrap(field, () =>
    parseCronSchedule(spec.expression, { timezone: spec.timezone ?? 'UTC' }),
  );
  return { expression: schedule.expression, timezone: schedule.timezone, catchUp };
}

function validateBatch(input: NonNullable<AutomationInput['triggers']['batch']>): BatchTrigger {
  const field = 'triggers.batch';
  const location = validateLocationName(input?.location, `${field}.location`);
  const fieldNames = {
    prefixDepth: `${field}.prefixDepth`,
    count: `${field}.count`,
    quietSeconds: `${field}.quietSeconds`,
    maxAgeSeconds: `${field}.maxAgeSeconds`,
    ignore: `${field}.ignore`,
    marker: `${field}.marker`,
    markerIsMember: `${field}.markerIsMember`,
  };
  const policy = createBatchPolicy(input, fieldNames);
  const emitEvent = input.emitEvent ?? true;
  const submitJob = input.submitJob ?? true;
  if (!emitEvent && !submitJob) {
    throw new InvalidAutomationError(
      `${field}.emitEvent`,
      'and submitJob are both false, so a closed batch would do nothing',
      'set emitEvent, submitJob or both to true',
    );
  }
  return {
    location,
    prefixDepth: policy.prefixDepth,
    count: policy.count,
    quietSeconds: policy.quietSeconds,
    ...(policy.maxAgeSeconds === undefined ? {} : { maxAgeSeconds: policy.maxAgeSeconds }),
    ignore: [...policy.ignore],
    ...(policy.marker === undefined ? {} : { marker: policy.marker }),
    markerIsMember: policy.markerIsMember,
    emitEvent,
    submitJob,
  };
}

function list<T>(value: readonly T[] | undefined, field: string): readonly T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new InvalidAutomationError(field, `must be an array, got ${describeType(value)}`);
  }
  if (value.length > MAX_TRIGGERS) {
    throw new InvalidAutomationError(
      field,
      `has ${value.length} triggers, more than ${MAX_TRIGGERS}`,
      'combine patterns with braces ({a,b}) or split the automation',
    );
  }
  return value;
}

/** Runs a validation that throws a core error and re-throws it under `field`, kept as cause. */
function wrap<T>(field: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof BucketflowError) {
      throw new InvalidAutomationError(field, error.message, undefined, { cause: error });
    }
    throw error;
  }
}
