import { IllegalTransitionError } from './errors.js';

/** States of a task, in the order a successful task passes through them. */
export const TASK_STATES = ['QUEUED', 'RUNNING', 'COMPUTED', 'FAILED', 'CANCELLED'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** States of a job; a job's state is derived from its tasks by {@link deriveJobState}. */
export const JOB_STATES = ['QUEUED', 'STARTED', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
export type JobState = (typeof JOB_STATES)[number];

/**
 * Every legal task state change. QUEUED covers both "waiting for its parent
 * or dependencies" and "released to a queue": release is not a state change.
 *
 * - QUEUED → RUNNING: a runner claims the task (conditional write, lease).
 * - QUEUED → CANCELLED: the job is cancelled by a user or failed; queued work stops.
 * - RUNNING → COMPUTED: the attempt succeeded. This also holds in a cancelled or
 *   failed job: running work finishes and is kept; the subtasks it submits are
 *   written CANCELLED, so a job retry runs them.
 * - RUNNING → QUEUED: a failed attempt with retries left, or an expired lease
 *   (runner crash) while fewer than {@link MAX_LEASE_EXPIRIES} have expired.
 * - RUNNING → FAILED: the attempt failed with no retries left, or the lease
 *   expired once too often. This fails the job.
 * - RUNNING → CANCELLED: an attempt ended without a result (an error with
 *   retries left, or an expired lease) in a job that is cancelled or failed:
 *   instead of re-queueing, the task waits for a job retry.
 * - FAILED → QUEUED, CANCELLED → QUEUED: a job retry.
 * - COMPUTED is final.
 */
export const TASK_TRANSITIONS: Readonly<Record<TaskState, readonly TaskState[]>> = Object.freeze({
  QUEUED: ['RUNNING', 'CANCELLED'],
  RUNNING: ['COMPUTED', 'QUEUED', 'FAILED', 'CANCELLED'],
  COMPUTED: [],
  FAILED: ['QUEUED'],
  CANCELLED: ['QUEUED'],
});

/**
 * Whether the state machine allows a task to go from `from` to `to`.
 *
 * @example
 * ```ts
 * canTransition('QUEUED', 'RUNNING'); // true
 * canTransition('COMPUTED', 'QUEUED'); // false
 * ```
 */
export function canTransition(from: TaskState, to: TaskState): boolean {
  return TASK_TRANSITIONS[from]?.includes(to) ?? false;
}

/**
 * Throws {@link IllegalTransitionError}, naming the task and the reason, when
 * the state machine does not allow `from` → `to`.
 *
 * @example
 * ```ts
 * assertTaskTransition('QUEUED', 'RUNNING'); // fine
 * assertTaskTransition('COMPUTED', 'QUEUED', '01J…'); // throws: a computed task never changes state
 * ```
 */
export function assertTaskTransition(from: TaskState, to: TaskState, taskId?: string): void {
  if (canTransition(from, to)) return;
  throw new IllegalTransitionError(from, to, transitionProblem(from, to), taskId);
}

function transitionProblem(from: TaskState, to: TaskState): string {
  if (!(from in TASK_TRANSITIONS)) return `${from} is not a task state`;
  if (!(to in TASK_TRANSITIONS)) return `${to} is not a task state`;
  if (from === to) return `the task is already ${from}`;
  if (from === 'COMPUTED') return 'a computed task never changes state';
  if (to === 'RUNNING') return 'only a queued task can be claimed';
  if (from === 'QUEUED') return 'a queued task must be claimed (RUNNING) before it can finish';
  return `a ${from.toLowerCase()} task only leaves that state when its job is retried`;
}

/** What a job knows besides its tasks' states. */
export interface JobStateFlags {
  /** A user cancelled the job and has not retried it since. */
  readonly cancelled?: boolean;
  /**
   * Some task of the job has been claimed at least once. Needed because a
   * task re-queued after a failed attempt is QUEUED again, yet the job started.
   */
  readonly started?: boolean;
}

/**
 * The state of a job from the states of all its tasks, first rule that holds:
 * COMPLETED when every task is computed (also if a user cancelled while the
 * last task ran: the work is done); CANCELLED when a user cancelled it; FAILED
 * when any task failed; STARTED when any task left QUEUED or `started` is set;
 * otherwise QUEUED. A job whose tasks are not written yet is QUEUED.
 *
 * @example
 * ```ts
 * deriveJobState(['COMPUTED', 'RUNNING', 'QUEUED']); // 'STARTED'
 * deriveJobState(['COMPUTED', 'FAILED', 'CANCELLED']); // 'FAILED'
 * deriveJobState(['QUEUED'], { cancelled: true }); // 'CANCELLED'
 * ```
 */
export function deriveJobState(
  taskStates: readonly TaskState[],
  flags: JobStateFlags = {},
): JobState {
  if (taskStates.length > 0 && taskStates.every((state) => state === 'COMPUTED')) {
    return 'COMPLETED';
  }
  if (flags.cancelled) return 'CANCELLED';
  if (taskStates.includes('FAILED')) return 'FAILED';
  if (flags.started || taskStates.some((state) => state !== 'QUEUED')) return 'STARTED';
  return 'QUEUED';
}

/**
 * Whether a job in this state still runs new work: its queued tasks are
 * released and claimed, and subtasks written by completions are QUEUED. In a
 * COMPLETED, FAILED or CANCELLED job nothing new starts; running tasks finish.
 *
 * @example
 * ```ts
 * acceptsNewWork('STARTED'); // true
 * acceptsNewWork('FAILED'); // false
 * ```
 */
export function acceptsNewWork(jobState: JobState): boolean {
  return jobState === 'QUEUED' || jobState === 'STARTED';
}

/**
 * The tasks to cancel when a job stops (a user cancels it, or a task fails):
 * every QUEUED task. Running tasks are left to finish.
 *
 * @example
 * ```ts
 * tasksToCancel([{ id: 'a', state: 'QUEUED' }, { id: 'b', state: 'RUNNING' }]); // ['a']
 * ```
 */
export function tasksToCancel(tasks: readonly { id: string; state: TaskState }[]): string[] {
  return tasks.filter((task) => task.state === 'QUEUED').map((task) => task.id);
}

/**
 * The tasks a job retry re-queues: every FAILED and CANCELLED task. Their
 * retry and lease-expiry counters start over. Computed work is kept; which of
 * the re-queued tasks may run at once is decided by `runnableTasks`.
 *
 * @example
 * ```ts
 * tasksToRequeue([{ id: 'a', state: 'FAILED' }, { id: 'b', state: 'COMPUTED' }]); // ['a']
 * ```
 */
export function tasksToRequeue(tasks: readonly { id: string; state: TaskState }[]): string[] {
  return tasks
    .filter((task) => task.state === 'FAILED' || task.state === 'CANCELLED')
    .map((task) => task.id);
}
