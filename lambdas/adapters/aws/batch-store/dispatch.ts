import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { BatchRecord } from '../../../core/ports/batch-store.js';
import { BatchNotFoundError } from '../../../core/ports/batch-store.js';
import {
  type BatchTableContext,
  closedKey,
  decodeClosed,
  type Item,
  isExpired,
  n,
  s,
} from './items.js';
import { readQueued } from './sweep.js';

/** Closed batches whose retry time is at or before `now`, earliest first. */
export async function findUndispatched(
  context: BatchTableContext,
  now: number,
  limit: number,
): Promise<BatchRecord[]> {
  const items = await readQueued(context, 'CLOSED', now, limit);
  // The index entry may be older than the item read after it: a batch another sweep leased in
  // between has a later retry time, and leasing it on that would win a second lease.
  return undispatched(items)
    .filter((batch) => batch.retryAt !== undefined && batch.retryAt <= now)
    .sort((a, b) => (a.retryAt ?? 0) - (b.retryAt ?? 0))
    .slice(0, limit);
}

/** Every closed batch not dispatched yet, oldest close (processing time) first. */
export async function listUndispatched(
  context: BatchTableContext,
  limit: number,
): Promise<BatchRecord[]> {
  const items = await readQueued(context, 'CLOSED', undefined, limit);
  return undispatched(items)
    .sort((a, b) => a.writtenAt - b.writtenAt)
    .slice(0, limit);
}

function undispatched(items: readonly Item[]): BatchRecord[] {
  return items.filter((item) => item.sweepPk !== undefined).map(decodeClosed);
}

/** Moves the batch's retry time `leaseMs` ahead, conditioned on the retry time it was found with. */
export async function leaseDispatch(
  context: BatchTableContext,
  batch: BatchRecord,
  now: number,
  leaseMs: number,
): Promise<boolean> {
  return conditional(context, batch.batchId, {
    UpdateExpression: 'SET sweepAt = :lease',
    ConditionExpression: 'sweepAt = :seen',
    ExpressionAttributeValues: { ':lease': n(now + leaseMs), ':seen': n(batch.retryAt ?? -1) },
  });
}

/**
 * Takes a closed batch out of the dispatch queue and starts its retention.
 * Conditional on it still being there, so exactly one caller gets true.
 */
export async function markDispatched(
  context: BatchTableContext,
  batchId: string,
  now: number,
  retentionMs: number,
): Promise<boolean> {
  return conditional(context, batchId, {
    UpdateExpression: 'SET dispatchedAt = :now, expiresAt = :x REMOVE sweepPk, sweepAt',
    ConditionExpression: 'attribute_exists(sweepPk)',
    ExpressionAttributeValues: {
      ':now': n(now),
      ':x': n(Math.ceil((now + retentionMs) / 1000)),
    },
  });
}

/** Counts a failed attempt, keeps its error and sets the next retry time. */
export async function recordDispatchFailure(
  context: BatchTableContext,
  batchId: string,
  error: string,
  retryAt: number,
): Promise<void> {
  await conditional(context, batchId, {
    UpdateExpression: 'SET lastError = :e, sweepAt = :r ADD attempts :one',
    ConditionExpression: 'attribute_exists(sweepPk)',
    ExpressionAttributeValues: { ':e': s(error), ':r': n(retryAt), ':one': n(1) },
  });
}

async function conditional(
  context: BatchTableContext,
  batchId: string,
  update: {
    UpdateExpression: string;
    ConditionExpression: string;
    ExpressionAttributeValues: Item;
  },
): Promise<boolean> {
  try {
    await context.client.send(
      new UpdateItemCommand({
        TableName: context.tableName,
        Key: closedKey(batchId),
        ...update,
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
