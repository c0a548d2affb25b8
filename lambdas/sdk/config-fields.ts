import { ValidationError } from '../core/errors.js';
import { describeType } from '../core/jobs/text-rules.js';
import type { AutomationConfig, StorageAutomationConfig } from './config.js';
import { InvalidConfigError } from './errors.js';
import { Task } from './task.js';
import { BatchTask, CronTask, StorageEventTask } from './trigger-tasks.js';

// Checks and field naming shared by the config validation (config.ts).

const TRIGGER_TASKS = {
  storage: { base: StorageEventTask, label: 'StorageEventTask' },
  batch: { base: BatchTask, label: 'BatchTask' },
  cron: { base: CronTask, label: 'CronTask' },
} as const;

/** Throws unless the entry's task is an instance of the trigger task its kind submits. */
export function checkTask(entry: AutomationConfig, label: string): void {
  const task: unknown = entry.task;
  const { base, label: baseName } = TRIGGER_TASKS[entry.kind];
  if (task === undefined && entry.kind === 'batch') return;
  if (!(task instanceof Task)) {
    const hint =
      typeof task === 'function'
        ? `an instance, e.g. new ${task.name}()`
        : `a ${baseName} instance`;
    throw new InvalidConfigError(`${label}.task`, `must be ${hint}, got ${describeType(task)}`);
  }
  if (!(task instanceof base)) {
    throw new InvalidConfigError(
      `${label}.task`,
      `${task.constructor.name} is not a ${baseName}, which a ${entry.kind} automation submits`,
      `extend ${baseName}`,
    );
  }
}

/** Checks `[location, glob]` pairs of a storage automation. */
export function storagePairs(
  triggers: StorageAutomationConfig['triggers'],
  field: string,
): StorageAutomationConfig['triggers'] {
  const pairs = arrayOf(triggers, field);
  pairs.forEach((pair, index) => {
    if (
      !Array.isArray(pair) ||
      pair.length !== 2 ||
      !pair.every((part) => typeof part === 'string')
    ) {
      throw new InvalidConfigError(
        `${field}[${index}]`,
        `must be a [location, glob] pair of strings, got ${JSON.stringify(pair)}`,
        "e.g. ['demo', '**.txt']",
      );
    }
  });
  return pairs;
}

/** The value when it is an array, `[]` when undefined; throws otherwise. */
export function arrayOf<T>(value: readonly T[] | undefined, field: string): readonly T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new InvalidConfigError(field, `must be an array, got ${describeType(value)}`);
  }
  return value;
}

/** Core field names of an automation, as the config spells them. */
export function configField(field: string): string {
  const batch = /^triggers\.batch\.(\w+)$/.exec(field);
  if (batch) {
    const name = batch[1] ?? '';
    return { quietSeconds: 'quiet', maxAgeSeconds: 'maxAge' }[name] ?? name;
  }
  const storage = /^triggers\.storage\[(\d+)\]\.(location|glob)$/.exec(field);
  if (storage) return `triggers[${storage[1]}][${storage[2] === 'location' ? 0 : 1}]`;
  const cron = /^triggers\.cron\[(\d+)\](.*)$/.exec(field);
  if (cron) {
    const rest = cron[2] ?? '';
    return rest === '.catchUp' ? 'catchUp' : `schedules[${cron[1]}]`;
  }
  return field;
}

/**
 * Re-throws a ValidationError under `prefix` (none when empty), with the
 * field as the config names it and `about` saying which entry it is.
 */
export function rewrap<T>(
  prefix: string,
  about: string,
  run: () => T,
  rename: (field: string) => string = (field) => field,
): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof ValidationError && !(error instanceof InvalidConfigError)) {
      const field = prefix === '' ? error.field : `${prefix}.${rename(error.field)}`;
      throw new InvalidConfigError(field, `${problemOf(error)} [${about}]`, undefined, {
        cause: error,
      });
    }
    throw error;
  }
}

/**
 * Runs `validate` and re-throws its ValidationError with the field as the
 * SDK's options name it (`quiet`, not `triggers.batch.quietSeconds`).
 */
export function withOptionNames<T>(validate: () => T): T {
  try {
    return validate();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError(configField(error.field), problemOf(error), undefined, {
      cause: error,
    });
  }
}

/** A ValidationError's message without its leading field name. */
function problemOf(error: ValidationError): string {
  return error.message.startsWith(`${error.field}: `)
    ? error.message.slice(error.field.length + 2)
    : error.message;
}
