import { QueryCommand } from '@aws-sdk/client-dynamodb';
import type { MemberChunk } from '../../../core/batching/batch-group-write.js';
import { BatchMembersMissingError, BatchNotFoundError } from '../../../core/ports/batch-store.js';
import {
  type BatchTableContext,
  batchPartition,
  HEAD,
  type Item,
  isExpired,
  n,
  num,
  s,
  strings,
} from './items.js';

/** A member record: a run of keys of one batch, `M#<index>` in its partition. */
export function memberRecord(chunk: MemberChunk, expiresAt: number): Item {
  return {
    pk: s(batchPartition(chunk.batchId)),
    sk: s(`M#${String(chunk.index).padStart(6, '0')}`),
    keys: { L: chunk.keys.map((key) => s(key)) },
    expiresAt: n(expiresAt),
  };
}

/**
 * The member keys of a closed batch page by page, in order: one strongly
 * consistent Query of its partition (DynamoDB's 1 MB pages), member records
 * `M#000000…` first, then the last run, held by the closed record. Throws
 * {@link BatchMembersMissingError} when the keys read do not add up to the
 * batch's count (expired records), so no batch is handed out incomplete,
 * and BatchNotFoundError when no batch with this id has closed.
 */
export async function* memberPages(
  context: BatchTableContext,
  batchId: string,
  now: number,
): AsyncGenerator<readonly string[]> {
  let start: Item | undefined;
  let head: Item | undefined;
  let found = 0;
  let records = 0;
  do {
    const page = await context.client.send(
      new QueryCommand({
        TableName: context.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': s(batchPartition(batchId)) },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    const keys: string[] = [];
    for (const item of page.Items ?? []) {
      if (item.sk?.S === HEAD) {
        head = item;
        continue;
      }
      if (isExpired(item, now)) continue;
      records++;
      keys.push(...strings(item, 'keys'));
    }
    found += keys.length;
    if (keys.length > 0) yield keys;
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  if (head === undefined) throw new BatchNotFoundError(batchId);
  const tail = strings(head, 'keys');
  found += tail.length;
  const count = num(head, 'count') ?? 0;
  if (found !== count || records !== (num(head, 'records') ?? 0)) {
    throw new BatchMembersMissingError(batchId, count, found);
  }
  if (tail.length > 0) yield tail;
}

/** Every member key of a closed batch, in order (see {@link memberPages}). */
export async function readMembers(
  context: BatchTableContext,
  batchId: string,
  now: number,
): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of memberPages(context, batchId, now)) keys.push(...page);
  return keys;
}
