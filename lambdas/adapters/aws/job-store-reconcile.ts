import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ExpiredLease, PendingRelease, TaskDispatch } from '../../core/ports/job-store.js';
import { conditionalWrite, type JobStoreContext, UpdateBuilder } from './job-store-dynamo.js';
import { dispatchOf, taskKey } from './job-store-items.js';
import {
  TASKS_BY_ENQUEUED_INDEX,
  TASKS_BY_LEASE_INDEX,
  TASKS_BY_PENDING_RELEASE_INDEX,
} from './tables/jobs-table.js';

// The reconciler's look-ups: each reads one sparse index, one Query per shard.

type Item = Record<string, unknown>;

/** RUNNING tasks whose lease ended at or before `now`: one Query per index shard. */
export async function findExpiredLeases(
  context: JobStoreContext,
  now: number,
  limit: number,
): Promise<ExpiredLease[]> {
  const items = await queryShards(
    context,
    TASKS_BY_LEASE_INDEX,
    'leaseShard',
    'LEASE',
    'leaseExpiresAt',
    now,
    limit,
  );
  return items.map((item) => ({
    jobId: item.jobId as string,
    taskId: item.taskId as string,
    attempt: item.attempts as number,
    runnerId: item.runnerId as string,
    leaseExpiresAt: item.leaseExpiresAt as number,
  }));
}

/** Runnable QUEUED tasks released (or re-sent) at or before `olderThan`. */
export async function findUnsentTasks(
  context: JobStoreContext,
  olderThan: number,
  limit: number,
): Promise<TaskDispatch[]> {
  const items = await queryShards(
    context,
    TASKS_BY_ENQUEUED_INDEX,
    'queuedShard',
    'QUEUED',
    'enqueuedAt',
    olderThan,
    limit,
  );
  return items.map(dispatchOf);
}

/** Moves a re-sent task's `enqueuedAt` to now, if it is still waiting for that attempt. */
export async function markResent(
  context: JobStoreContext,
  dispatch: TaskDispatch,
): Promise<boolean> {
  const now = context.clock();
  const update = new UpdateBuilder().set('enqueuedAt', now);
  update.when(
    `${update.n('state')} = ${update.v('QUEUED')} AND attribute_exists(${update.n('enqueuedAt')}) AND ${update.n('attempts')} = ${update.v(dispatch.attempt - 1)}`,
  );
  return conditionalWrite(`mark task ${dispatch.taskId} re-sent`, () =>
    context.doc.send(
      new UpdateCommand({
        TableName: context.tableName,
        Key: taskKey(dispatch.jobId, dispatch.taskId),
        ...update.build(),
      }),
    ),
  );
}

/** Completions whose releases were not recorded as finished by `olderThan`. */
export async function findPendingReleases(
  context: JobStoreContext,
  olderThan: number,
  limit: number,
): Promise<PendingRelease[]> {
  const items = await queryShards(
    context,
    TASKS_BY_PENDING_RELEASE_INDEX,
    'releaseShard',
    'RELEASE',
    'releaseSince',
    olderThan,
    limit,
  );
  return items.map((item) => ({
    jobId: item.jobId as string,
    taskId: item.taskId as string,
    since: item.releaseSince as number,
  }));
}

/** Queries every shard of a sparse index for sort keys <= `upTo`; merges them, oldest first. */
async function queryShards(
  context: JobStoreContext,
  indexName: string,
  partitionAttribute: string,
  prefix: string,
  sortAttribute: string,
  upTo: number,
  limit: number,
): Promise<Item[]> {
  const shards = Array.from({ length: context.indexShards }, (_, shard) => `${prefix}#${shard}`);
  const pages = await Promise.all(
    shards.map((shard) =>
      context.doc.send(
        new QueryCommand({
          TableName: context.tableName,
          IndexName: indexName,
          KeyConditionExpression: '#pk = :shard AND #sk <= :upTo',
          ExpressionAttributeNames: { '#pk': partitionAttribute, '#sk': sortAttribute },
          ExpressionAttributeValues: { ':shard': shard, ':upTo': upTo },
          Limit: limit,
        }),
      ),
    ),
  );
  return pages
    .flatMap((page) => page.Items ?? [])
    .sort((a, b) => (a[sortAttribute] as number) - (b[sortAttribute] as number))
    .slice(0, limit);
}
