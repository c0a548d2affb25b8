import { InvalidDependencyError, TooManySubtasksError } from '../core/jobs/errors.js';
import { MAX_SUBTASKS_PER_TASK, type TaskSpec } from '../core/jobs/task-spec.js';
import {
  type CurrentTask,
  clampDisplay,
  type ExecutionContext,
  type SubtaskOptions,
  type TaskHandle,
  type TaskLogger,
} from './execution-context.js';
import type { JobCache } from './job-cache.js';
import type { AnyTask } from './task.js';
import type { Trigger } from './triggers.js';

/** The attempt an execution context belongs to. */
export interface ExecutionTarget {
  readonly jobId: string;
  readonly taskId: string;
  /** The stored display, the starting value of `currentTask.display`. */
  readonly display: string;
}

export interface TaskExecutionContextOptions {
  readonly task: ExecutionTarget;
  readonly jobCache: JobCache;
  readonly logger: TaskLogger;
  readonly trigger?: Trigger | undefined;
  /** Aborted by the runner when the lease is lost. */
  readonly signal: AbortSignal;
}

class MutableCurrentTask implements CurrentTask {
  readonly id: string;
  readonly jobId: string;
  #display: string;
  readonly #fallback: string;

  constructor(target: ExecutionTarget) {
    this.id = target.taskId;
    this.jobId = target.jobId;
    this.#fallback = target.display;
    this.#display = target.display;
  }

  get display(): string {
    return this.#display;
  }

  set display(text: string) {
    this.#display = clampDisplay(text, this.#fallback);
  }
}

/**
 * The {@link ExecutionContext} of one claimed attempt. It validates and
 * collects subtask submissions (at most 64, `dependsOn` handles turned into
 * indices) for the runner to write with the completion; nothing reaches the
 * job store while `execute` runs.
 *
 * @example
 * ```ts
 * const context = new TaskExecutionContext({ task, jobCache, logger, signal });
 * await instance.execute(context);
 * await jobs.complete({ ...lease, subtasks: context.subtasks });
 * ```
 */
export class TaskExecutionContext implements ExecutionContext {
  readonly currentTask: CurrentTask;
  readonly logger: TaskLogger;
  readonly jobCache: JobCache;
  readonly trigger: Trigger | undefined;
  readonly signal: AbortSignal;
  readonly #specs: TaskSpec[] = [];
  /** Handles issued by this context, so foreign or forged handles are refused. */
  readonly #handles = new WeakSet<TaskHandle>();

  constructor(options: TaskExecutionContextOptions) {
    this.currentTask = new MutableCurrentTask(options.task);
    this.logger = options.logger;
    this.jobCache = options.jobCache;
    this.trigger = options.trigger;
    this.signal = options.signal;
  }

  /** The collected subtasks, in submission order; `dependsOn` holds indices into this list. */
  get subtasks(): readonly TaskSpec[] {
    return this.#specs;
  }

  submitSubtask(task: AnyTask, options: SubtaskOptions = {}): TaskHandle {
    const index = this.#specs.length;
    const field = `subtasks[${index}]`;
    if (index >= MAX_SUBTASKS_PER_TASK) {
      throw new TooManySubtasksError('subtasks', index + 1, MAX_SUBTASKS_PER_TASK);
    }
    const dependsOn = this.#dependencyIndices(options.dependsOn, `${field}.dependsOn`);
    const spec = task.toSpec({
      field,
      display: options.display,
      cluster: options.cluster,
      maxRetries: options.maxRetries,
      dependsOn,
    });
    this.#specs.push(spec);
    const handle: TaskHandle = Object.freeze({ index, identifier: spec.identifier });
    this.#handles.add(handle);
    return handle;
  }

  submitSubtasks(tasks: readonly AnyTask[], options: SubtaskOptions = {}): TaskHandle[] {
    if (this.#specs.length + tasks.length > MAX_SUBTASKS_PER_TASK) {
      throw new TooManySubtasksError(
        'subtasks',
        this.#specs.length + tasks.length,
        MAX_SUBTASKS_PER_TASK,
      );
    }
    return tasks.map((task) => this.submitSubtask(task, options));
  }

  #dependencyIndices(
    handles: readonly TaskHandle[] | undefined,
    field: string,
  ): number[] | undefined {
    if (handles === undefined) return undefined;
    if (!Array.isArray(handles)) {
      throw new InvalidDependencyError(
        field,
        'must be an array of task handles',
        'pass the values submitSubtask returned, e.g. dependsOn: [fetch]',
      );
    }
    return handles.map((handle, position) => {
      if (typeof handle !== 'object' || handle === null || !this.#handles.has(handle)) {
        throw new InvalidDependencyError(
          `${field}[${position}]`,
          'is not a handle returned by submitSubtask in this execution',
          'a task may only depend on subtasks submitted by the same execution',
        );
      }
      return handle.index;
    });
  }
}
