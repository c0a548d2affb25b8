import { GetItemCommand, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { BatchRecord, OpenBatchRecord } from '../../core/ports/batch-store.js';
import { BatchNotFoundError } from '../../core/ports/batch-store-errors.js';
import { headerUpdate, readHeader, writeHeader } from './batch-store-header-writes.js';
import {
  type BatchTableContext,
  closedKey,
  decodeClosed,
  decodeOpenItem,
  groupHash,
  type Item,
  isExpired,
  n,
  s,
} from './batch-store-items.js';
import { BATCHES_BY_DUE_INDEX } from './tables/batches-table.js';

/** Attempts at closing one batch whose header keeps changing under the sweep. */
const MAX_CLOSE_ATTEMPTS = 5;

/**
 * Open batches due at `now`: one Query per shard of the sparse index
 * (`OPEN#<shard>`, `dueAt <= now`), merged earliest first.
 */
export async function findDue(
  context: BatchTableContext,
  now: number,
  limit: number,
): Promise<OpenBatchRecord[]> {
  const items = await queryQueues(context, 'OPEN', now, limit);
  return items
    .flatMap((item) => decodeOpenItem(item) ?? [])
    .sort((a, b) => a.dueAt - b.dueAt)
    .slice(0, limit);
}

/**
 * Every open batch, earliest deadline first: the same Query per shard as
 * {@link findDue} without the upper bound on `dueAt`.
 */
export async function listOpen(
  context: BatchTableContext,
  limit: number,
): Promise<OpenBatchRecord[]> {
  const items = await queryQueues(context, 'OPEN', undefined, limit);
  return items
    .flatMap((item) => decodeOpenItem(item) ?? [])
    .sort((a, b) => a.dueAt - b.dueAt)
    .slice(0, limit);
}

/** Closed batches not dispatched yet, closed at or before `closedBefore`, oldest first. */
export async function findUndispatched(
  context: BatchTableContext,
  closedBefore: number,
  limit: number,
): Promise<BatchRecord[]> {
  const items = await queryQueues(context, 'CLOSED', closedBefore, limit);
  return items
    .map(decodeClosed)
    .sort((a, b) => a.closedAt - b.closedAt)
    .slice(0, limit);
}

async function queryQueues(
  context: BatchTableContext,
  queue: 'OPEN' | 'CLOSED',
  until: number | undefined,
  limit: number,
): Promise<Item[]> {
  const pages = await Promise.all(
    Array.from({ length: context.shards }, (_, shard) =>
      context.client.send(
        new QueryCommand({
          TableName: context.tableName,
          IndexName: BATCHES_BY_DUE_INDEX,
          KeyConditionExpression:
            until === undefined ? 'duePk = :q' : 'duePk = :q AND dueAt <= :until',
          ExpressionAttributeValues: {
            ':q': s(`${queue}#${shard}`),
            ...(until === undefined ? {} : { ':until': n(until) }),
          },
          Limit: limit,
        }),
      ),
    ),
  );
  return pages.flatMap((page) => page.Items ?? []);
}

/**
 * Closes a due batch at its deadline with one transaction: the header loses
 * its open batch (conditioned on the batch id and the revision the sweep
 * saw) and the closed record is created. An ingest that extended or closed
 * the batch first makes the condition fail; the sweep then re-evaluates the
 * header it got back and closes only if the same batch is still due.
 */
export async function closeDue(
  context: BatchTableContext,
  batch: OpenBatchRecord,
  now: number,
): Promise<BatchRecord | undefined> {
  const group = { automationId: batch.automationId, bucket: batch.bucket, prefix: batch.prefix };
  const hash = groupHash(group);
  let current: OpenBatchRecord | undefined = batch;
  for (let attempt = 0; attempt < MAX_CLOSE_ATTEMPTS; attempt++) {
    if (current === undefined || current.batchId !== batch.batchId || current.dueAt > now) {
      return undefined;
    }
    const record: BatchRecord = {
      batchId: current.batchId,
      automationId: current.automationId,
      bucket: current.bucket,
      prefix: current.prefix,
      count: current.count,
      firstEventAt: current.firstEventAt,
      lastEventAt: current.lastEventAt,
      reason: current.dueReason,
      closedAt: current.dueAt,
    };
    const update = headerUpdate(
      context,
      group,
      hash,
      { revision: current.revision, open: current },
      undefined,
      {},
      now,
      { expression: '#id = :expected', values: { ':expected': s(current.batchId) } },
    );
    const written = await writeHeader(context, group, update, [record]);
    if (written.ok) return record;
    const header =
      written.current === 'unknown' ? await readHeader(context, group, hash) : written.current;
    current = header?.open;
  }
  return undefined;
}

/**
 * Takes a closed batch out of the undispatched index and starts its
 * retention. Conditional on it still being there, so exactly one caller
 * gets true.
 */
export async function markDispatched(
  context: BatchTableContext,
  batchId: string,
  now: number,
  retentionMs: number,
): Promise<boolean> {
  try {
    await context.client.send(
      new UpdateItemCommand({
        TableName: context.tableName,
        Key: closedKey(batchId),
        UpdateExpression: 'SET dispatchedAt = :now, expiresAt = :x REMOVE duePk, dueAt',
        ConditionExpression: 'attribute_exists(duePk)',
        ExpressionAttributeValues: {
          ':now': n(now),
          ':x': n(Math.ceil((now + retentionMs) / 1000)),
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return true;
  } catch (error) {
    if (!(error instanceof Error) || error.name !== 'ConditionalCheckFailedException') throw error;
    if ((error as { Item?: Item }).Item === undefined) throw new BatchNotFoundError(batchId);
    return false;
  }
}

/** A closed batch by id: one GetItem. */
export async function findClosed(
  context: BatchTableContext,
  batchId: string,
  now: number,
): Promise<BatchRecord | undefined> {
  const result = await context.client.send(
    new GetItemCommand({
      TableName: context.tableName,
      Key: closedKey(batchId),
      ConsistentRead: true,
    }),
  );
  if (result.Item === undefined || isExpired(result.Item, now)) return undefined;
  return decodeClosed(result.Item);
}
