import {
  GetItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { BatchThresholds } from '../../core/batching/batch-thresholds.js';
import type { BatchRecord } from '../../core/ports/batch-store.js';
import {
  type BatchGroup,
  type BatchTableContext,
  cancellationReasons,
  conditionFailureItem,
  decodeHeader,
  encodeClosed,
  headerKey,
  type Item,
  n,
  OPEN_ATTRIBUTES,
  openQueue,
  type StoredHeader,
  s,
} from './batch-store-items.js';

/** An idle header (no open batch) is dropped after this long; the next event recreates it. */
const IDLE_HEADER_RETENTION_MS = 30 * 24 * 3600 * 1000;

/** Expression names shared by every header write. */
export const NAMES = {
  '#a': 'automationId',
  '#b': 'bucket',
  '#p': 'prefix',
  '#id': 'batchId',
  '#c': 'count',
  '#f': 'firstEventAt',
  '#l': 'lastEventAt',
  '#g': 'ageAt',
  '#d': 'dueAt',
  '#r': 'dueReason',
  '#q': 'duePk',
  '#v': 'revision',
  '#x': 'expiresAt',
} as const;

export type WriteResult =
  | { ok: true }
  | { ok: false; current: StoredHeader | undefined | 'unknown' };

/** The header update that stores `next` (or no open batch), conditioned on the revision read. */
export function headerUpdate(
  context: BatchTableContext,
  group: BatchGroup,
  hash: string,
  header: StoredHeader | undefined,
  next: StoredHeader['open'],
  thresholds: Pick<BatchThresholds, 'maxAgeSeconds'>,
  now: number,
  extraCondition?: { expression: string; values: Item },
) {
  const revision = (header?.revision ?? 0) + 1;
  const values: Item = {
    ':a': s(group.automationId),
    ':b': s(group.bucket),
    ':p': s(group.prefix),
    ':v': n(revision),
    ...extraCondition?.values,
  };
  let expression: string;
  if (next === undefined) {
    values[':x'] = n(Math.ceil((now + IDLE_HEADER_RETENTION_MS) / 1000));
    const removed = OPEN_ATTRIBUTES.map((name) => `#${shortName(name)}`).join(', ');
    expression = `SET #a = :a, #b = :b, #p = :p, #v = :v, #x = :x REMOVE ${removed}`;
  } else {
    Object.assign(values, {
      ':id': s(next.batchId),
      ':c': n(next.count),
      ':f': n(next.firstEventAt),
      ':l': n(next.lastEventAt),
      ':d': n(next.dueAt),
      ':r': s(next.dueReason),
      ':q': s(openQueue(hash, context.shards)),
    });
    const sets = ['#a = :a, #b = :b, #p = :p, #v = :v, #id = :id, #c = :c, #f = :f, #l = :l'];
    sets.push('#d = :d, #r = :r, #q = :q');
    const removes = ['#x'];
    if (thresholds.maxAgeSeconds === undefined) removes.push('#g');
    else {
      values[':g'] = n(next.firstEventAt + thresholds.maxAgeSeconds * 1000);
      sets.push('#g = :g');
    }
    expression = `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`;
  }
  let condition = 'attribute_not_exists(pk)';
  if (header !== undefined) {
    values[':v0'] = n(header.revision);
    condition = '#v = :v0';
  }
  if (extraCondition) condition = `${condition} AND ${extraCondition.expression}`;
  return {
    TableName: context.tableName,
    Key: headerKey(hash),
    UpdateExpression: expression,
    ConditionExpression: condition,
    ExpressionAttributeNames: { ...NAMES },
    ExpressionAttributeValues: values,
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  };
}

/**
 * Writes a header update alone (UpdateItem) or with closed records
 * (TransactWriteItems). On a lost condition, returns the header the failure
 * reported; `undefined` when a closed record already existed.
 */
export async function writeHeader(
  context: BatchTableContext,
  group: BatchGroup,
  update: ReturnType<typeof headerUpdate>,
  closed: readonly BatchRecord[],
): Promise<WriteResult> {
  try {
    if (closed.length === 0) {
      await context.client.send(new UpdateItemCommand(update));
    } else {
      await context.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Update: update },
            ...closed.map((record) => ({
              Put: {
                TableName: context.tableName,
                Item: encodeClosed(record, context.shards),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            })),
          ],
        }),
      );
    }
    return { ok: true };
  } catch (error) {
    const item = conditionFailureItem(error);
    if (item !== 'not-a-condition-failure') {
      return { ok: false, current: item === undefined ? undefined : decodeHeader(item, group) };
    }
    const reasons = cancellationReasons(error);
    if (reasons === undefined) throw error;
    const headerReason = reasons[0];
    if (headerReason?.Code === 'ConditionalCheckFailed') {
      const old = headerReason.Item;
      return { ok: false, current: old === undefined ? undefined : decodeHeader(old, group) };
    }
    // A concurrent transaction on the same item, or a closed record that exists: read again.
    return { ok: false, current: 'unknown' };
  }
}

export async function readHeader(
  context: BatchTableContext,
  group: BatchGroup,
  hash: string,
): Promise<StoredHeader | undefined> {
  const result = await context.client.send(
    new GetItemCommand({
      TableName: context.tableName,
      Key: headerKey(hash),
      ConsistentRead: true,
    }),
  );
  return decodeHeader(result.Item, group);
}

function shortName(attribute: (typeof OPEN_ATTRIBUTES)[number]): string {
  const entry = Object.entries(NAMES).find(([, name]) => name === attribute);
  return entry ? entry[0].slice(1) : attribute;
}
