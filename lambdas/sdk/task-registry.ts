import { InvalidTaskInputError } from '../core/jobs/errors.js';
import type { TaskRecord } from '../core/jobs/records.js';
import {
  formatTaskIdentifier,
  isCompatible,
  parseTaskVersion,
  type TaskIdentifier,
} from '../core/jobs/task-identifier.js';
import type { TaskSpec } from '../core/jobs/task-spec.js';
import { splitTriggerInput } from '../core/jobs/trigger-payload.js';
import { DuplicateTaskError, TaskDefinitionError, TaskNotRegisteredError } from './errors.js';
import { type AnyTask, identifierOf, Task, type TaskClass } from './task.js';
import { BatchTask, CronTask, StorageEventTask, TriggerTask } from './trigger-tasks.js';
import type { TriggerEnvironment } from './triggers.js';

/** A stored task, as far as rebuilding it needs. */
export type StoredTaskInput = Pick<TaskRecord, 'identifier' | 'inputJson'>;

interface Entry {
  readonly identifier: TaskIdentifier;
  readonly major: number;
  readonly cls: TaskClass;
}

const SDK_BASES: ReadonlySet<unknown> = new Set([
  Task,
  TriggerTask,
  CronTask,
  StorageEventTask,
  BatchTask,
]);

/**
 * The task classes a runner can execute, looked up by the version rule: a
 * class registered as (name, vA.B) runs tasks submitted as (name, vX.Y) iff
 * A == X and B >= Y. One class per name and major version: a runner keeps the
 * newest minor version of each major it supports.
 *
 * @example
 * ```ts
 * const registry = new TaskRegistry([Resize]); // Resize is registered as v1.5
 * registry.resolve(taskIdentifier('Resize', 'v1.3')); // Resize
 * registry.resolve(taskIdentifier('Resize', 'v2.0')); // undefined
 * ```
 */
export class TaskRegistry {
  readonly #byName = new Map<string, Entry[]>();

  constructor(classes: readonly TaskClass[] = []) {
    this.register(...classes);
  }

  /**
   * Adds task classes. Registering the same class again does nothing; a
   * different class with the same name and major version throws
   * {@link DuplicateTaskError}; anything that is not a concrete subclass of
   * `Task` throws {@link TaskDefinitionError}.
   */
  register(...classes: TaskClass[]): this {
    classes.forEach((cls, index) => {
      this.add(cls, `tasks[${index}]`);
    });
    return this;
  }

  /** The registered class that may run a task submitted as `submitted`, if any. */
  resolve(submitted: TaskIdentifier): TaskClass | undefined {
    return this.#byName
      .get(submitted.name)
      ?.find((entry) => isCompatible(entry.identifier, submitted))?.cls;
  }

  /** Every registered identifier, sorted by name and version. */
  identifiers(): TaskIdentifier[] {
    return [...this.#byName.values()]
      .flat()
      .map((entry) => entry.identifier)
      .sort(compareIdentifiers);
  }

  /**
   * Rebuilds a submitted task as an instance of the class that may run it:
   * parses the input and, for trigger tasks, attaches the stored trigger
   * (with the environment's storage client for storage events). Throws
   * {@link TaskNotRegisteredError} when no class may run it.
   */
  fromSpec(spec: TaskSpec | StoredTaskInput, environment?: TriggerEnvironment): AnyTask {
    const cls = this.resolve(spec.identifier);
    if (!cls) throw this.notRegistered(spec.identifier);
    const input = 'inputJson' in spec ? parseInput(spec.inputJson) : spec.input;
    const Class = cls as unknown as new (input: unknown) => AnyTask;
    if (!(cls.prototype instanceof TriggerTask)) return new Class(input);
    const parts = splitTriggerInput(input);
    const task = new Class(parts.input) as TriggerTask<object, never>;
    return task.attachTrigger(parts.trigger, environment);
  }

  private add(cls: TaskClass, field: string): void {
    if (typeof cls !== 'function' || !(cls.prototype instanceof Task)) {
      throw new TaskDefinitionError(
        field,
        'is not a task class',
        'pass classes that extend Task, CronTask, StorageEventTask or BatchTask',
      );
    }
    if (SDK_BASES.has(cls)) {
      throw new TaskDefinitionError(
        field,
        `${cls.name} is an abstract base class, not a task`,
        `register your subclass of ${cls.name}`,
      );
    }
    const identifier = identifierOf(cls);
    const major = parseTaskVersion(identifier.version).major;
    const entries = this.#byName.get(identifier.name) ?? [];
    const clash = entries.find((entry) => entry.major === major);
    if (clash?.cls === cls) return;
    if (clash) {
      throw new DuplicateTaskError(
        field,
        `${cls.name} (${formatTaskIdentifier(identifier)}) clashes with ${clash.cls.name} (${formatTaskIdentifier(clash.identifier)}): same name and major version`,
        'register one class per task name and major version; the newest minor version runs older ones',
      );
    }
    this.#byName.set(identifier.name, [...entries, { identifier, major, cls }]);
  }

  private notRegistered(submitted: TaskIdentifier): TaskNotRegisteredError {
    const known = (this.#byName.get(submitted.name) ?? [])
      .map((entry) => entry.identifier)
      .sort(compareIdentifiers)
      .map(formatTaskIdentifier);
    const registered = known.length > 0 ? known.join(', ') : 'no version of this name';
    return new TaskNotRegisteredError(
      `${formatTaskIdentifier(submitted)}: no registered task class can run it (registered: ${registered}); ` +
        'a class at vA.B runs vX.Y when A == X and B >= Y',
    );
  }
}

function parseInput(json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch (error) {
    throw new InvalidTaskInputError('inputJson', 'is not valid JSON', undefined, { cause: error });
  }
}

function compareIdentifiers(a: TaskIdentifier, b: TaskIdentifier): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  const left = parseTaskVersion(a.version);
  const right = parseTaskVersion(b.version);
  return left.major - right.major || left.minor - right.minor;
}
