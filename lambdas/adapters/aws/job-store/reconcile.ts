import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { StoredTask } from '../../../core/ports/job-store.js';
import { TASKS_BY_DUE_INDEX } from '../dynamodb/tables/jobs-table.js';
import { hasInlineRoot, TASK_SK_PREFIX, taskKey, toTask } from './items.js';
import { batchGet } from './reads.js';
import { conditionalWrite, type JobStoreContext, UpdateBuilder } from './store-context.js';

// The reconciler's look-ups: one sparse index, one Query per shard, then the
// items themselves (the index holds only keys, so no progress writes it).

type Item = Record<string, unknown>;
type DueRef = Pick<StoredTask, 'jobId' | 'taskId' | 'state' | 'attempts'>;

/** Tasks whose `dueAt` is at or before `upTo`, earliest first, read strongly consistent. */
export async function findDueTasks(
  context: JobStoreContext,
  upTo: number,
  limit: number,
): Promise<StoredTask[]> {
  const shards = Array.from({ length: context.dueShards }, (_, shard) => `DUE#${shard}`);
  const pages = await Promise.all(
    shards.map((shard) =>
      context.doc.send(
        new QueryCommand({
          TableName: context.tableName,
          IndexName: TASKS_BY_DUE_INDEX,
          KeyConditionExpression: 'dueShard = :shard AND dueAt <= :upTo',
          ExpressionAttributeValues: { ':shard': shard, ':upTo': upTo },
          Limit: limit,
        }),
      ),
    ),
  );
  const entries = pages
    .flatMap((page) => page.Items ?? [])
    .sort((a, b) => (a.dueAt as number) - (b.dueAt as number))
    .slice(0, limit);
  const keys = entries.map((entry) => ({ pk: entry.pk as string, sk: entry.sk as string }));
  const items = await batchGet(context, keys, true);
  return items
    .filter((item) => item.dueAt !== undefined && isTask(item))
    .map(toTask)
    .sort((a, b) => (a.dueAt ?? 0) - (b.dueAt ?? 0));
}

/** Moves a due task's next look to `dueAt` while it is still in the state and attempt read. */
export function deferDue(context: JobStoreContext, task: DueRef, dueAt: number): Promise<boolean> {
  return sameAttempt(context, task, new UpdateBuilder().set('dueAt', dueAt), 'defer');
}

/** Takes a task out of the due index while it is still in the state and attempt read. */
export function clearDue(context: JobStoreContext, task: DueRef): Promise<boolean> {
  return sameAttempt(context, task, new UpdateBuilder().remove('dueShard', 'dueAt'), 'clear');
}

function sameAttempt(
  context: JobStoreContext,
  task: DueRef,
  update: UpdateBuilder,
  verb: string,
): Promise<boolean> {
  update.when(
    `${update.n('state')} = ${update.v(task.state)} AND ${update.n('attempts')} = ${update.v(task.attempts)} AND attribute_exists(${update.n('dueAt')})`,
  );
  return conditionalWrite(`${verb} the due check of task ${task.taskId}`, () =>
    context.doc.send(
      new UpdateCommand({
        TableName: context.tableName,
        Key: taskKey(task.jobId, task.taskId),
        ...update.build(),
      }),
    ),
  );
}

function isTask(item: Item): boolean {
  return hasInlineRoot(item) || String(item.sk).startsWith(TASK_SK_PREFIX);
}
