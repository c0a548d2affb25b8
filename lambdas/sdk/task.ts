import type { ZodType } from 'zod';
import { InvalidTaskInputError } from '../core/jobs/errors.js';
import {
  DEFAULT_TASK_VERSION,
  type TaskIdentifier,
  taskIdentifier,
} from '../core/jobs/task-identifier.js';
import { type TaskSpec, validateTaskSpec } from '../core/jobs/task-spec.js';
import { TaskDefinitionError } from './errors.js';
import type { ExecutionContext } from './execution-context.js';

type JsonPrimitive = string | number | boolean | null;
type NotJson =
  | bigint
  | symbol
  | undefined
  | Date
  | Map<unknown, unknown>
  | Set<unknown>
  | ArrayBufferLike
  | ArrayBufferView
  | ((...args: never[]) => unknown);

/**
 * `T` with every part that is not plain JSON data replaced by `never`, so a
 * task constructor rejects, at compile time, inputs holding Dates, Maps,
 * functions and the like. Optional properties stay optional (undefined
 * properties are left out of the JSON). The runtime check is
 * `serializeTaskInput`, which also bounds size and depth.
 */
export type JsonCompatible<T> = T extends JsonPrimitive
  ? T
  : T extends NotJson
    ? never
    : T extends readonly unknown[]
      ? { readonly [K in keyof T]: JsonCompatible<T[K]> }
      : T extends object
        ? {
            [K in keyof T]: undefined extends T[K]
              ? JsonCompatible<Exclude<T[K], undefined>> | undefined
              : JsonCompatible<T[K]>;
          }
        : never;

/** The input of a task that takes none. */
export type EmptyInput = Record<string, never>;

/** Constructor arguments: the input may be left out when `{}` is a valid input. */
export type TaskArgs<Input> = EmptyInput extends Input
  ? [input?: JsonCompatible<Input>]
  : [input: JsonCompatible<Input>];

/**
 * What a task class may declare as `static identifier`. Both parts are
 * optional: the name defaults to the class name, the version to `v0.0`.
 * Validated (by `taskIdentifier`) when the class is registered or submitted.
 */
export interface TaskIdentifierOptions {
  readonly name?: string;
  readonly version?: string;
}

/** Options of one submission, as `TaskSpec` has them; `dependsOn` holds batch indices. */
export interface TaskSpecOptions {
  readonly display?: string | undefined;
  readonly cluster?: string | undefined;
  readonly maxRetries?: number | undefined;
  readonly dependsOn?: readonly number[] | undefined;
  /** Path used in error messages. @default 'task' */
  readonly field?: string | undefined;
}

/**
 * Base class of every task. Subclass it, give the input type, implement
 * `execute`, and optionally pin the identifier with `static identifier`:
 * the name defaults to the class name and the version to `v0.0`. Pin the
 * name in production: minifiers rename classes, and renaming a class would
 * otherwise strand tasks already queued under the old name.
 *
 * Subclasses keep the `(input)` constructor: runners rebuild tasks with
 * `new TaskClass(input)`.
 *
 * @example
 * ```ts
 * class Fetch extends Task<{ url: string }> {
 *   static override identifier = { name: 'news/Fetch', version: 'v1.2' };
 *   async execute(context: ExecutionContext) {
 *     context.logger.info(`fetching ${this.input.url}`);
 *   }
 * }
 * new Fetch({ url: 'https://example.com' }).toSpec().identifier; // { name: 'news/Fetch', version: 'v1.2' }
 * ```
 */
export abstract class Task<Input = EmptyInput> {
  /** The task's identifier; see {@link TaskIdentifierOptions}. Not inherited: each class declares its own. */
  declare static identifier?: TaskIdentifierOptions;
  /**
   * The input's schema (zod), checked whenever a spec is built, so a wrong
   * input fails at submit with the field named, not later on a runner.
   */
  declare static inputSchema?: ZodType;

  readonly input: Input;

  constructor(...args: TaskArgs<Input>) {
    this.input = (args[0] === undefined ? {} : args[0]) as Input;
  }

  /** Runs the task on a runner. Throwing fails the attempt (retried up to `maxRetries`). */
  abstract execute(context: ExecutionContext): Promise<void> | void;

  /** This task's class identifier, resolved by {@link identifierOf}. */
  get identifier(): TaskIdentifier {
    return identifierOf(this.constructor as TaskClassLike);
  }

  /**
   * Throws when the task cannot be submitted as it is. Plain tasks always can;
   * trigger tasks need a trigger (`once()`). Clients call it before anything
   * is written.
   */
  assertSubmittable(_field = 'task'): void {}

  /**
   * The core spec for submitting this task: checks that it is submittable,
   * then validates identifier, input (plain JSON, at most 256 KiB), display,
   * cluster and retries. The input in the spec is a copy, so later changes to
   * `this.input` do not alter a submission.
   */
  toSpec(options: TaskSpecOptions = {}): TaskSpec {
    const field = options.field ?? 'task';
    this.assertSubmittable(field);
    return this.buildSpec(this.specInput(), options, field);
  }

  /**
   * The spec an automation stores as its prototype: like {@link toSpec} but
   * without a trigger, which the automation adds to every job it submits.
   */
  toPrototypeSpec(options: TaskSpecOptions = {}): TaskSpec {
    return this.buildSpec(this.input, options, options.field ?? 'task');
  }

  private checkInput(field: string): void {
    const schema = (this.constructor as { readonly inputSchema?: ZodType }).inputSchema;
    const result = schema?.safeParse(this.input);
    if (result === undefined || result.success) return;
    const [issue] = result.error.issues;
    const path = (issue?.path ?? []).map(String).join('.');
    throw new InvalidTaskInputError(
      `${field}.input${path ? `.${path}` : ''}`,
      issue?.message ?? 'does not match the input schema',
      `give an input that ${this.constructor.name}.inputSchema accepts`,
    );
  }

  /** The input as it is stored; trigger tasks add their trigger. */
  protected specInput(): unknown {
    return this.input;
  }

  private buildSpec(input: unknown, options: TaskSpecOptions, field: string): TaskSpec {
    this.checkInput(field);
    const identifier = identifierOf(this.constructor as TaskClassLike);
    const spec: TaskSpec = {
      identifier,
      input,
      display: options.display,
      cluster: options.cluster,
      maxRetries: options.maxRetries,
      dependsOn: options.dependsOn,
    };
    const valid = validateTaskSpec(spec, field);
    return {
      identifier: valid.identifier,
      input: JSON.parse(valid.inputJson) as unknown,
      display: valid.display,
      cluster: valid.cluster,
      maxRetries: valid.maxRetries,
      dependsOn: valid.dependsOn,
    };
  }
}

/** Any task instance, whatever its input type. */
export type AnyTask = Task<unknown>;

/** A concrete task class a registry can instantiate. Abstract classes are rejected at compile time. */
export type TaskClass = (new (
  ...args: never[]
) => AnyTask) & {
  readonly identifier?: TaskIdentifierOptions;
};

/** A task class, abstract or not. */
export type TaskClassLike = (abstract new (
  ...args: never[]
) => AnyTask) & {
  readonly identifier?: TaskIdentifierOptions;
};

/**
 * The identifier of a task class: its own `static identifier` (not one
 * inherited from a parent class), with the name defaulting to the class name
 * and the version to `v0.0`. Throws {@link TaskDefinitionError} for an
 * anonymous class without a name, and `InvalidTaskIdentifierError` (field
 * `ClassName.identifier.version`, say) for a malformed name or version.
 *
 * @example
 * ```ts
 * class Resize extends Task { execute() {} }
 * identifierOf(Resize); // { name: 'Resize', version: 'v0.0' }
 * ```
 */
export function identifierOf(cls: TaskClassLike): TaskIdentifier {
  const label = `${cls.name || 'anonymous task class'}.identifier`;
  const own = Object.hasOwn(cls, 'identifier') ? cls.identifier : undefined;
  if (own !== undefined && (typeof own !== 'object' || own === null)) {
    throw new TaskDefinitionError(
      label,
      'must be an object { name?, version? }',
      "write static override identifier = { name: 'my/Task', version: 'v1.0' }",
    );
  }
  const name = own?.name ?? cls.name;
  if (!name) {
    throw new TaskDefinitionError(
      label,
      'an anonymous task class has no name',
      "name the class or set static identifier = { name: 'my/Task' }",
    );
  }
  return taskIdentifier(name, own?.version ?? DEFAULT_TASK_VERSION, label);
}
