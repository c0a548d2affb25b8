import {
  acceptsNewWork,
  deriveJobState,
  type JobState,
  type JobStateFlags,
  type TaskState,
} from './task-state.js';

/** How many of a job's tasks are in each state. */
export type TaskStateCounts = Readonly<Record<TaskState, number>>;

/** Counts of a job with no tasks yet. */
export const EMPTY_TASK_COUNTS: TaskStateCounts = Object.freeze({
  QUEUED: 0,
  RUNNING: 0,
  COMPUTED: 0,
  FAILED: 0,
  CANCELLED: 0,
});

/**
 * The state of a job from per-state task counts, by the same rules as
 * `deriveJobState`. For stores that keep counters on the job instead of
 * reading every task: the answer depends only on which states occur, so the
 * counts stand in for the list of task states.
 *
 * @example
 * ```ts
 * deriveJobStateFromCounts({ QUEUED: 1, RUNNING: 0, COMPUTED: 2, FAILED: 0, CANCELLED: 0 }); // 'STARTED'
 * ```
 */
export function deriveJobStateFromCounts(
  counts: TaskStateCounts,
  flags: JobStateFlags = {},
): JobState {
  const present: TaskState[] = [];
  for (const state of Object.keys(EMPTY_TASK_COUNTS) as TaskState[]) {
    if (counts[state] > 0) present.push(state);
  }
  return deriveJobState(present, flags);
}

/**
 * Whether a job with these counts and flags still runs new work (`acceptsNewWork`
 * of its derived state): not cancelled, no task failed, not every task computed.
 *
 * @example
 * ```ts
 * jobAcceptsWork({ ...EMPTY_TASK_COUNTS, FAILED: 1 }, {}); // false
 * ```
 */
export function jobAcceptsWork(counts: TaskStateCounts, flags: JobStateFlags = {}): boolean {
  return acceptsNewWork(deriveJobStateFromCounts(counts, flags));
}
