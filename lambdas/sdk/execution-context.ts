import type { TaskIdentifier } from '../core/jobs/task-identifier.js';
import { MAX_DISPLAY_LENGTH } from '../core/jobs/task-spec.js';
import type { JobCache } from './job-cache.js';
import type { AnyTask } from './task.js';
import type { Trigger } from './triggers.js';

/**
 * A subtask submitted during this execution. Pass it in another submission's
 * `dependsOn`; handles from other executions are rejected.
 */
export interface TaskHandle {
  /** Position among this execution's subtasks (the `dependsOn` index in the stored spec). */
  readonly index: number;
  readonly identifier: TaskIdentifier;
}

/** Options of one subtask submission. */
export interface SubtaskOptions {
  /** Subtasks of this execution that must be computed, with all their subtasks, first. */
  readonly dependsOn?: readonly TaskHandle[] | undefined;
  /** Cluster slug. @default the cluster of the current task */
  readonly cluster?: string | undefined;
  /** Retries after failed attempts, 0 to 100. @default 0 */
  readonly maxRetries?: number | undefined;
  /** Label in job views. @default the task's identifier name */
  readonly display?: string | undefined;
}

/** The task being executed. */
export interface CurrentTask {
  readonly id: string;
  readonly jobId: string;
  /**
   * Label in job views, recorded when the task completes. Longer text is cut
   * to 1,024 characters and control characters become spaces, so setting it
   * never fails a task.
   */
  display: string;
}

/** Structured log lines, tagged with the job and task ids. */
export interface TaskLogger {
  debug(message: string, fields?: Readonly<Record<string, unknown>>): void;
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  error(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/**
 * What a task's `execute` gets from its runner. Subtasks are collected while
 * `execute` runs and written, all at once, when it returns: nothing is
 * submitted if it throws, and subtasks start only after this task is
 * computed. At most 64 subtasks per execution: the 65th submission throws.
 *
 * @example
 * ```ts
 * class NewsWorkflow extends Task<{ category: string }> {
 *   execute(context: ExecutionContext) {
 *     const fetch = context.submitSubtask(new FetchNews({ category: this.input.category }));
 *     context.submitSubtask(new PrintHeadlines(), { dependsOn: [fetch] });
 *     context.submitSubtask(new MostFrequentAuthors(), { dependsOn: [fetch] });
 *     context.currentTask.display = `News(${this.input.category})`;
 *   }
 * }
 * ```
 */
export interface ExecutionContext {
  /** Queues `task` as a subtask; validates it at once (input, options, trigger). */
  submitSubtask(task: AnyTask, options?: SubtaskOptions): TaskHandle;
  /** Queues several subtasks with the same options; each may depend on the same handles. */
  submitSubtasks(tasks: readonly AnyTask[], options?: SubtaskOptions): TaskHandle[];
  readonly currentTask: CurrentTask;
  readonly logger: TaskLogger;
  /** The job's cache; requires a cache configured on the runner, else its methods throw. */
  readonly jobCache: JobCache;
  /**
   * What triggered this task's job (a cron fire, a storage event or a batch),
   * for every task of the job; undefined for jobs submitted by hand. Trigger
   * tasks also have it as `this.trigger`.
   */
  readonly trigger: Trigger | undefined;
  /** Aborted when the runner loses the task's lease or shuts down; stop work early when it fires. */
  readonly signal: AbortSignal;
}

// Lone surrogates cannot be stored as UTF-8; control characters other than
// the line feed break views (a carriage return rewrites a terminal line).
const NOT_DISPLAYABLE = /(?!\n)[\p{Cc}\p{Cs}]/gu;

/**
 * What a runner stores when a task sets `currentTask.display`: line breaks
 * kept (`\r\n` and `\r` become `\n`), other control characters replaced by
 * spaces, cut to 1,024 characters (code points), and `fallback` when nothing
 * is left. The result always passes the core display check.
 *
 * @example
 * ```ts
 * clampDisplay('Leaf\r\nNr. 1\t(of 3)', 'SubTask'); // 'Leaf\nNr. 1 (of 3)'
 * clampDisplay('', 'SubTask'); // 'SubTask'
 * ```
 */
export function clampDisplay(text: unknown, fallback: string): string {
  const cleaned = String(text ?? '')
    .replace(/\r\n?/g, '\n')
    .replace(NOT_DISPLAYABLE, ' ');
  const chars = Array.from(cleaned);
  const clamped =
    chars.length > MAX_DISPLAY_LENGTH ? chars.slice(0, MAX_DISPLAY_LENGTH).join('') : cleaned;
  return clamped === '' ? fallback : clamped;
}
