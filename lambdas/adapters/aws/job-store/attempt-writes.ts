import { isInlineRoot, jobKey, taskKey } from './items.js';
import { UpdateBuilder, type Write } from './store-context.js';

/** Re-reads of the job when its state changed between the read and the write. */
export const STATE_ROUNDS = 8;

/**
 * The writes of a change to one task and its job's counters: two updates
 * (task first, then job) for a task item, or one update of the job item
 * carrying both parts for a job's inline root. A transaction may not touch
 * one item twice, and a single-item write costs half of a transaction.
 *
 * @example
 * ```ts
 * await commit(context, 'claim', attemptWrites(jobId, taskId, (task) => task.set('state', 'RUNNING'), (job) => job.add('nRunning', 1)));
 * ```
 */
export function attemptWrites(
  jobId: string,
  taskId: string,
  taskPart: (update: UpdateBuilder) => void,
  jobPart: (update: UpdateBuilder) => void,
): Write[] {
  if (isInlineRoot(jobId, taskId)) {
    const update = new UpdateBuilder();
    taskPart(update);
    jobPart(update);
    return [{ key: jobKey(jobId), update }];
  }
  const task = new UpdateBuilder();
  taskPart(task);
  const job = new UpdateBuilder();
  jobPart(job);
  return [
    { key: taskKey(jobId, taskId), update: task },
    { key: jobKey(jobId), update: job },
  ];
}
