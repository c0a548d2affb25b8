import { createHash } from 'node:crypto';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CloseReason } from '../../core/batching/batch-state.js';
import type { BatchRecord, OpenBatchRecord } from '../../core/ports/batch-store.js';

/** A raw DynamoDB item. */
export type Item = Record<string, AttributeValue>;

/** What every batch-store module needs; built once by the store. */
export interface BatchTableContext {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Partitions of each GSI queue, to spread index writes. */
  readonly shards: number;
  readonly newId: (now: number) => string;
}

/** Sort key of headers and closed records. */
export const HEAD = 'HEAD';

/** Attributes of a header that exist only while a batch is open. */
export const OPEN_ATTRIBUTES = [
  'batchId',
  'count',
  'firstEventAt',
  'lastEventAt',
  'ageAt',
  'dueAt',
  'dueReason',
  'duePk',
] as const;

/** The (automation, bucket, prefix) a header, its dedupe items and its open batch belong to. */
export interface BatchGroup {
  readonly automationId: string;
  readonly bucket: string;
  readonly prefix: string;
}

/**
 * A short fixed-length id for a group, so that keys stay small however long
 * the prefix is (S3 keys run to 1 KB and every update is billed by item size).
 */
export function groupHash(group: BatchGroup): string {
  return createHash('sha256')
    .update(`${group.automationId}\n${group.bucket}\n${group.prefix}`)
    .digest('base64url')
    .slice(0, 22);
}

export const headerKey = (hash: string): Item => ({ pk: s(`G#${hash}`), sk: s(HEAD) });
export const dedupeKey = (hash: string, windowStart: number): Item => ({
  pk: s(`G#${hash}`),
  sk: s(`D#${windowStart}`),
});
export const closedKey = (batchId: string): Item => ({ pk: s(`B#${batchId}`), sk: s(HEAD) });
export const batchPartition = (batchId: string): string => `B#${batchId}`;

/** GSI partition of an open header: spread by the group hash. */
export function openQueue(hash: string, shards: number): string {
  return `OPEN#${shardOf(hash, shards)}`;
}

/** GSI partition of a closed, undispatched batch: spread by its id. */
export function closedQueue(batchId: string, shards: number): string {
  return `CLOSED#${shardOf(batchId, shards)}`;
}

function shardOf(text: string, shards: number): number {
  let sum = 0;
  for (let index = 0; index < text.length; index++) sum = (sum * 31 + text.charCodeAt(index)) >>> 0;
  return sum % shards;
}

export const s = (value: string): AttributeValue => ({ S: value });
export const n = (value: number): AttributeValue => ({ N: String(value) });

export function str(item: Item, name: string): string | undefined {
  return item[name]?.S;
}

export function num(item: Item, name: string): number | undefined {
  const text = item[name]?.N;
  return text === undefined ? undefined : Number(text);
}

/** An item whose TTL has passed: DynamoDB Local never deletes it, AWS may not yet have. */
export function isExpired(item: Item, now: number): boolean {
  const expiresAt = num(item, 'expiresAt');
  return expiresAt !== undefined && expiresAt * 1000 <= now;
}

/** A stored header: the group's revision and, when one is open, its batch. */
export interface StoredHeader {
  readonly revision: number;
  readonly open: OpenBatchRecord | undefined;
}

export function decodeHeader(item: Item | undefined, group: BatchGroup): StoredHeader | undefined {
  if (item === undefined || item.pk === undefined) return undefined;
  const revision = num(item, 'revision') ?? 0;
  const batchId = str(item, 'batchId');
  if (batchId === undefined) return { revision, open: undefined };
  return {
    revision,
    open: {
      batchId,
      automationId: group.automationId,
      bucket: group.bucket,
      prefix: group.prefix,
      count: num(item, 'count') ?? 0,
      firstEventAt: num(item, 'firstEventAt') ?? 0,
      lastEventAt: num(item, 'lastEventAt') ?? 0,
      dueAt: num(item, 'dueAt') ?? 0,
      dueReason: str(item, 'dueReason') === 'max-age' ? 'max-age' : 'quiet',
      revision,
    },
  };
}

/** An open header as the GSI returns it (it carries its own group). */
export function decodeOpenItem(item: Item): OpenBatchRecord | undefined {
  const group = {
    automationId: str(item, 'automationId') ?? '',
    bucket: str(item, 'bucket') ?? '',
    prefix: str(item, 'prefix') ?? '',
  };
  return decodeHeader(item, group)?.open;
}

export function encodeClosed(record: BatchRecord, shards: number): Item {
  return {
    ...closedKey(record.batchId),
    batchId: s(record.batchId),
    automationId: s(record.automationId),
    bucket: s(record.bucket),
    prefix: s(record.prefix),
    count: n(record.count),
    firstEventAt: n(record.firstEventAt),
    lastEventAt: n(record.lastEventAt),
    reason: s(record.reason),
    closedAt: n(record.closedAt),
    duePk: s(closedQueue(record.batchId, shards)),
    dueAt: n(record.closedAt),
  };
}

export function decodeClosed(item: Item): BatchRecord {
  const dispatchedAt = num(item, 'dispatchedAt');
  return {
    batchId: str(item, 'batchId') ?? '',
    automationId: str(item, 'automationId') ?? '',
    bucket: str(item, 'bucket') ?? '',
    prefix: str(item, 'prefix') ?? '',
    count: num(item, 'count') ?? 0,
    firstEventAt: num(item, 'firstEventAt') ?? 0,
    lastEventAt: num(item, 'lastEventAt') ?? 0,
    reason: (str(item, 'reason') ?? 'count') as CloseReason,
    closedAt: num(item, 'closedAt') ?? 0,
    ...(dispatchedAt === undefined ? {} : { dispatchedAt }),
  };
}

/** The item a failed conditional write returned (ReturnValuesOnConditionCheckFailure ALL_OLD). */
export function conditionFailureItem(error: unknown): Item | undefined | 'not-a-condition-failure' {
  if (!(error instanceof Error)) return 'not-a-condition-failure';
  if (error.name === 'ConditionalCheckFailedException') {
    return (error as { Item?: Item }).Item;
  }
  return 'not-a-condition-failure';
}

/** Per-item reasons of a cancelled transaction, or undefined for any other error. */
export function cancellationReasons(
  error: unknown,
): readonly { Code?: string; Item?: Item }[] | undefined {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return undefined;
  return (error as { CancellationReasons?: { Code?: string; Item?: Item }[] }).CancellationReasons;
}
