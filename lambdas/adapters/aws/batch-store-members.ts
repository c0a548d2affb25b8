import { BatchWriteItemCommand, QueryCommand, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { utf8Length } from '../../core/jobs/task-input.js';
import {
  type BatchTableContext,
  batchPartition,
  type Item,
  isExpired,
  n,
  s,
} from './batch-store-items.js';

/** Items per BatchWriteItem call (DynamoDB's limit). */
const ITEMS_PER_BATCH_WRITE = 25;
/** Attempts at writing unprocessed items before giving up. */
const MAX_WRITE_ATTEMPTS = 8;
/** Bytes an item takes besides its keys: key attributes, names, TTL, list overhead. */
const ITEM_OVERHEAD_BYTES = 128;

/** The keys one write adds to one batch, and when its member items may be dropped. */
export interface MemberWrite {
  readonly batchId: string;
  readonly keys: readonly string[];
  /** Epoch seconds. */
  readonly expiresAt: number;
}

/**
 * Writes member keys as items of the batch's partition (`B#<batchId>`, sort
 * key `M#<write id>#<chunk>`), each holding as many keys as fit in
 * `maxItemBytes`, 25 items per BatchWriteItem call, so a batch's members are
 * never rewritten as it grows. Returns the batch ids whose items could not
 * be written after retries, with the last error (their events must be redelivered).
 */
export async function writeMembers(
  context: BatchTableContext,
  writes: readonly MemberWrite[],
  maxItemBytes: number,
  now: number,
): Promise<Map<string, unknown>> {
  const items: { batchId: string; request: WriteRequest }[] = [];
  for (const write of writes) {
    const writeId = context.newId(now);
    chunkKeys(write.keys, maxItemBytes).forEach((keys, index) => {
      const item: Item = {
        pk: s(batchPartition(write.batchId)),
        sk: s(`M#${writeId}#${String(index).padStart(4, '0')}`),
        keys: { L: keys.map((key) => s(key)) },
        expiresAt: n(write.expiresAt),
      };
      items.push({ batchId: write.batchId, request: { PutRequest: { Item: item } } });
    });
  }
  const failed = new Map<string, unknown>();
  const calls: Promise<void>[] = [];
  for (let start = 0; start < items.length; start += ITEMS_PER_BATCH_WRITE) {
    const chunk = items.slice(start, start + ITEMS_PER_BATCH_WRITE);
    calls.push(
      writeChunk(context, chunk).then(({ unwritten, error }) => {
        for (const batchId of unwritten) failed.set(batchId, error);
      }),
    );
  }
  await Promise.all(calls);
  return failed;
}

async function writeChunk(
  context: BatchTableContext,
  chunk: readonly { batchId: string; request: WriteRequest }[],
): Promise<{ unwritten: string[]; error: unknown }> {
  const owner = new Map(chunk.map((entry) => [entry.request, entry.batchId]));
  let pending = chunk.map((entry) => entry.request);
  let lastError: unknown = new Error('BatchWriteItem left items unprocessed after retries');
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS && pending.length > 0; attempt++) {
    if (attempt > 0) await sleep(Math.min(25 * 2 ** attempt, 1000));
    try {
      const result = await context.client.send(
        new BatchWriteItemCommand({ RequestItems: { [context.tableName]: pending } }),
      );
      const unprocessed = result.UnprocessedItems?.[context.tableName] ?? [];
      // The SDK returns fresh request objects; map them back by their sort key.
      const bySortKey = new Map(
        pending.map((request) => [request.PutRequest?.Item?.sk?.S, request]),
      );
      pending = unprocessed.flatMap((request) => {
        const original = bySortKey.get(request.PutRequest?.Item?.sk?.S);
        return original ? [original] : [];
      });
    } catch (error) {
      lastError = error;
      if (!isRetryable(error)) break;
    }
  }
  return { unwritten: pending.map((request) => owner.get(request) ?? ''), error: lastError };
}

/** Splits keys into runs whose item stays under `maxItemBytes`. */
export function chunkKeys(keys: readonly string[], maxItemBytes: number): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  let bytes = ITEM_OVERHEAD_BYTES;
  for (const key of keys) {
    // Each list element costs its UTF-8 length plus one byte.
    const size = utf8Length(key) + 1;
    if (current.length > 0 && bytes + size > maxItemBytes) {
      chunks.push(current);
      current = [];
      bytes = ITEM_OVERHEAD_BYTES;
    }
    current.push(key);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Every member key of a batch in write order: one Query, paginated by DynamoDB's 1 MB pages. */
export async function readMembers(
  context: BatchTableContext,
  batchId: string,
  now: number,
): Promise<string[]> {
  const keys: string[] = [];
  let start: Item | undefined;
  do {
    const page = await context.client.send(
      new QueryCommand({
        TableName: context.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
        ExpressionAttributeValues: { ':pk': s(batchPartition(batchId)), ':m': s('M#') },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      if (isExpired(item, now)) continue;
      for (const value of item.keys?.L ?? []) if (value.S !== undefined) keys.push(value.S);
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return keys;
}

function isRetryable(error: unknown): boolean {
  const name = error instanceof Error ? error.name : '';
  return (
    name === 'ProvisionedThroughputExceededException' ||
    name === 'ThrottlingException' ||
    name === 'RequestLimitExceeded' ||
    name === 'InternalServerError'
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
