import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TaskMessage } from '../../../core/ports/task-queue.js';
import { dispatchOf, dueAttributes, idsOf, jobKey, taskKey } from './items.js';
import { getItem } from './reads.js';
import { conditionalWrite, type JobStoreContext, UpdateBuilder } from './store-context.js';

type Item = Record<string, unknown>;

/**
 * Follows up a completion that settled a task (computed, and every subtask
 * settled): records it in each dependent's `doneDeps` and, when the parent's
 * own settlement releases something (`notifyParent`), in its parent's
 * `settledChildren`. A dependent whose `doneDeps` now holds all of its
 * `dependsOn` is released (QUEUED → runnable, once, by a conditional write);
 * a parent whose `settledChildren` now holds all `childCount` children is
 * settled in turn and followed up the same way. Set additions are idempotent,
 * so this whole walk can be redone after a crash: the task's due entry, its
 * pending-release marker, is removed only at the end.
 *
 * Returns the dispatches of released tasks. In a job that no longer accepts
 * work nothing is released (the dependents are CANCELLED, or about to be).
 */
export async function releaseSettled(
  context: JobStoreContext,
  jobId: string,
  taskId: string,
  known?: Item,
): Promise<TaskMessage[]> {
  const released: TaskMessage[] = [];
  // The completion already read the task; its dependents and parent do not change.
  const start = known ?? (await getItem(context, taskKey(jobId, taskId)));
  if (!start) return released;
  const pending: Item[] = [start];
  for (let settled = pending.pop(); settled; settled = pending.pop()) {
    const settledId = idsOf(settled).taskId;
    for (const dependentId of (settled.dependents as string[] | undefined) ?? []) {
      const dependent = await addToSet(context, jobId, dependentId, 'doneDeps', settledId);
      if (!dependent || !holdsAll(dependent.doneDeps, dependent.dependsOn)) continue;
      const dispatch = await release(context, dependent);
      if (dispatch) released.push(dispatch);
    }
    const parentId = settled.parentId as string | undefined;
    if (parentId === undefined || settled.notifyParent !== true) continue;
    const parent = await addToSet(context, jobId, parentId, 'settledChildren', settledId);
    if (parent && setSize(parent.settledChildren) >= ((parent.childCount as number) ?? Infinity)) {
      pending.push(parent);
    }
  }
  const update = new UpdateBuilder().remove('dueShard', 'dueAt');
  update.when(`${update.n('state')} = ${update.v('COMPUTED')}`);
  await conditionalWrite(`finish releases of task ${taskId}`, () =>
    context.doc.send(
      new UpdateCommand({
        TableName: context.tableName,
        Key: taskKey(jobId, taskId),
        ...update.build(),
      }),
    ),
  );
  return released;
}

async function addToSet(
  context: JobStoreContext,
  jobId: string,
  taskId: string,
  attribute: string,
  member: string,
): Promise<Item | undefined> {
  const update = new UpdateBuilder().add(attribute, new Set([member]));
  update.when('attribute_exists(pk)');
  let result: Item | undefined;
  await conditionalWrite(`record ${attribute} of task ${taskId}`, async () => {
    const output = await context.doc.send(
      new UpdateCommand({
        TableName: context.tableName,
        Key: taskKey(jobId, taskId),
        ...update.build(),
        ReturnValues: 'ALL_NEW',
      }),
    );
    result = output.Attributes;
  });
  return result;
}

/** Marks a QUEUED task runnable, once: only the write that finds it unreleased succeeds. */
async function release(context: JobStoreContext, task: Item): Promise<TaskMessage | undefined> {
  const now = context.clock();
  const { jobId, taskId } = idsOf(task);
  const due = dueAttributes(context, taskId, now + context.checkAfterMs);
  const update = new UpdateBuilder()
    .set('enqueuedAt', now)
    .set('dueShard', due.dueShard)
    .set('dueAt', due.dueAt)
    .set('updatedAt', now);
  update.when(
    `${update.n('state')} = ${update.v('QUEUED')} AND attribute_not_exists(${update.n('enqueuedAt')})`,
  );
  const done = await conditionalWrite(`release task ${task.taskId}`, () =>
    context.doc.send(
      new UpdateCommand({
        TableName: context.tableName,
        Key: taskKey(jobId, taskId),
        ...update.build(),
      }),
    ),
  );
  if (!done) return undefined;
  const job = await getItem(context, jobKey(jobId));
  if (!job || job.cancelled === true || ((job.nFailed as number) ?? 0) > 0) return undefined;
  return dispatchOf({ ...task, enqueuedAt: now });
}

function setSize(value: unknown): number {
  return value instanceof Set ? value.size : 0;
}

function holdsAll(set: unknown, members: unknown): boolean {
  const list = (members as string[] | undefined) ?? [];
  return set instanceof Set && list.every((member) => set.has(member));
}
