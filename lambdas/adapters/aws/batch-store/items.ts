import { createHash } from 'node:crypto';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { GroupState, StoredOpenBatch } from '../../../core/batching/batch-group-write.js';
import type { BatchDeadline, CloseReason } from '../../../core/batching/batch-state.js';
import type { BatchRecord, OpenBatchRecord } from '../../../core/ports/batch-store.js';
import { type Item, itemSize } from '../dynamodb/item-size.js';

export type { Item };

/** What every batch-store module needs; built once by the store. */
export interface BatchTableContext {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Partitions of each sweep queue, to spread index writes. */
  readonly shards: number;
  readonly newId: (now: number) => string;
  /** A short random id for one write attempt. */
  readonly newWriteId: () => string;
  /** Waits between retries of unprocessed writes. */
  readonly sleep: (ms: number) => Promise<void>;
}

/** Sort key of headers and closed records. */
export const HEAD = 'HEAD';
/** Largest record the store writes: DynamoDB allows 400 KB per item. */
export const MEMBER_RECORD_BYTES = 350_000;
/** A header within this many bytes is billed one write unit. */
const HEADER_BYTES = 1024;

/** The (automation, bucket, prefix) a header, its dedupe records and its open batch belong to. */
export interface BatchGroup {
  readonly automationId: string;
  readonly bucket: string;
  readonly prefix: string;
}

/**
 * A short fixed-length id for a group, so that keys stay small however long
 * the prefix is (S3 keys run to 1 KB and every write is billed by item size).
 */
export function groupHash(group: BatchGroup): string {
  return createHash('sha256')
    .update(`${group.automationId}\n${group.bucket}\n${group.prefix}`)
    .digest('base64url')
    .slice(0, 22);
}

export const headerKey = (hash: string): Item => ({ pk: s(`G#${hash}`), sk: s(HEAD) });
export const closedKey = (batchId: string): Item => ({ pk: s(`B#${batchId}`), sk: s(HEAD) });
export const batchPartition = (batchId: string): string => `B#${batchId}`;

/** Sweep queue of an open header: spread by the group hash. */
export function openQueue(hash: string, shards: number): string {
  return `OPEN#${shardOf(hash, shards)}`;
}

/** Sweep queue of a closed, undispatched batch: spread by its id. */
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

export function strings(item: Item, name: string): string[] {
  return (item[name]?.L ?? []).flatMap((value) => (value.S === undefined ? [] : [value.S]));
}

/** An item whose TTL has passed: DynamoDB Local never deletes it, AWS may not yet have. */
export function isExpired(item: Item, now: number): boolean {
  const expiresAt = num(item, 'expiresAt');
  return expiresAt !== undefined && expiresAt * 1000 <= now;
}

/** A header as read: the group's state, its open batch's deadline and where the sweep finds it. */
export interface StoredHeader {
  readonly state: GroupState;
  /** The open batch's deadline, as written with it. */
  readonly deadline: BatchDeadline | undefined;
  /** When the sweep looks at the header next (at or before the deadline); undefined: not queued. */
  readonly sweepAt: number | undefined;
  /** Id of the write that produced it, to recognise a write whose response was lost. */
  readonly lastWrite: string | undefined;
  /** The item does not exist (revision 0, no condition but absence). */
  readonly absent: boolean;
}

/** A group without a header item. */
export const ABSENT_HEADER: StoredHeader = {
  state: { revision: 0, epoch: 0, open: undefined, pending: [] },
  deadline: undefined,
  sweepAt: undefined,
  lastWrite: undefined,
  absent: true,
};

export function decodeHeader(item: Item | undefined, now: number): StoredHeader {
  if (item === undefined || item.pk === undefined) return ABSENT_HEADER;
  const revision = num(item, 'revision') ?? 0;
  const epoch = num(item, 'epoch') ?? 0;
  // An idle header past its expiry holds fingerprints older than any redelivery.
  const pending = isExpired(item, now) ? [] : (item.pending?.SS ?? []);
  const batchId = str(item, 'batchId');
  const base = {
    sweepAt: num(item, 'sweepAt'),
    lastWrite: str(item, 'lastWrite'),
    absent: false,
  };
  if (batchId === undefined) {
    return { ...base, state: { revision, epoch, open: undefined, pending }, deadline: undefined };
  }
  const open: StoredOpenBatch = {
    batchId,
    bucket: str(item, 'bucket') ?? '',
    prefix: str(item, 'prefix') ?? '',
    count: num(item, 'count') ?? 0,
    firstEventAt: num(item, 'firstEventAt') ?? 0,
    lastEventAt: num(item, 'lastEventAt') ?? 0,
    keys: strings(item, 'keys'),
    memberRecords: num(item, 'records') ?? 0,
    keyBytes: num(item, 'keyBytes') ?? 0,
  };
  const deadline: BatchDeadline = {
    at: num(item, 'dueAt') ?? 0,
    reason: str(item, 'dueReason') === 'max-age' ? 'max-age' : 'quiet',
  };
  return { ...base, state: { revision, epoch, open, pending }, deadline };
}

/** The header item for a state; `sweepAt` queues it for the sweep (open batches only). */
export function encodeHeader(
  context: BatchTableContext,
  group: BatchGroup,
  hash: string,
  header: {
    readonly state: GroupState;
    readonly deadline: BatchDeadline | undefined;
    readonly sweepAt: number | undefined;
    readonly writeId: string;
    /** Epoch seconds; set on idle headers. */
    readonly expiresAt?: number | undefined;
  },
): Item {
  const { state, deadline } = header;
  const item: Item = {
    ...headerKey(hash),
    automationId: s(group.automationId),
    bucket: s(group.bucket),
    prefix: s(group.prefix),
    revision: n(state.revision),
    epoch: n(state.epoch),
    lastWrite: s(header.writeId),
  };
  if (state.pending.length > 0) item.pending = { SS: [...state.pending] };
  const open = state.open;
  if (open !== undefined && deadline !== undefined) {
    Object.assign(item, {
      batchId: s(open.batchId),
      count: n(open.count),
      firstEventAt: n(open.firstEventAt),
      lastEventAt: n(open.lastEventAt),
      dueAt: n(deadline.at),
      dueReason: s(deadline.reason),
      records: n(open.memberRecords),
      keyBytes: n(open.keyBytes),
      sweepPk: s(openQueue(hash, context.shards)),
      sweepAt: n(header.sweepAt ?? deadline.at),
    });
    if (open.keys.length > 0) item.keys = { L: open.keys.map((key) => s(key)) };
  } else if (header.expiresAt !== undefined) {
    item.expiresAt = n(header.expiresAt);
  }
  return item;
}

/**
 * Bytes a group's header may spend on inline keys and pending fingerprints
 * and still be billed one write unit: 1 KB less the header with every other
 * attribute at its largest.
 */
export function inlineBudget(context: BatchTableContext, group: BatchGroup, hash: string): number {
  const widest = encodeHeader(context, group, hash, {
    state: {
      revision: 9e9,
      epoch: 9e9,
      pending: [],
      open: {
        batchId: context.newId(0),
        bucket: group.bucket,
        prefix: group.prefix,
        count: 9e9,
        firstEventAt: 9e15,
        lastEventAt: 9e15,
        keys: [],
        memberRecords: 9e9,
        keyBytes: 9e15,
      },
    },
    deadline: { at: 9e15, reason: 'max-age' },
    sweepAt: 9e15,
    writeId: context.newWriteId(),
  });
  // The list and set attributes' names and overheads.
  const containers = 'keys'.length + 3 + 'pending'.length;
  return Math.max(0, HEADER_BYTES - itemSize(widest) - containers);
}

/** An open header as the sweep reads it, with its group. */
export function openRecordOf(item: Item, now: number): OpenBatchRecord | undefined {
  return openRecordOfHeader(decodeHeader(item, now), str(item, 'automationId') ?? '');
}

/** The open batch of a decoded header, or undefined when its prefix has none. */
export function openRecordOfHeader(
  header: StoredHeader,
  automationId: string,
): OpenBatchRecord | undefined {
  const open = header.state.open;
  if (open === undefined || header.deadline === undefined) return undefined;
  return {
    batchId: open.batchId,
    automationId,
    bucket: open.bucket,
    prefix: open.prefix,
    count: open.count,
    firstEventAt: open.firstEventAt,
    lastEventAt: open.lastEventAt,
    dueAt: header.deadline.at,
    dueReason: header.deadline.reason,
    revision: header.state.revision,
  };
}

/** The closed record of a batch: what it is, its last run of keys, and its place in the dispatch queue. */
export function encodeClosed(
  context: BatchTableContext,
  record: BatchRecord,
  members: { readonly tailKeys: readonly string[]; readonly memberRecords: number },
  retryAt: number,
): Item {
  const item: Item = {
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
    writtenAt: n(record.writtenAt),
    records: n(members.memberRecords),
    keyBytes: n(record.keyBytes),
    attempts: n(0),
    sweepPk: s(closedQueue(record.batchId, context.shards)),
    sweepAt: n(retryAt),
  };
  if (members.tailKeys.length > 0) item.keys = { L: members.tailKeys.map((key) => s(key)) };
  return item;
}

export function decodeClosed(item: Item): BatchRecord {
  const dispatchedAt = num(item, 'dispatchedAt');
  const lastError = str(item, 'lastError');
  const retryAt = num(item, 'sweepAt');
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
    writtenAt: num(item, 'writtenAt') ?? 0,
    keyBytes: num(item, 'keyBytes') ?? 0,
    attempts: num(item, 'attempts') ?? 0,
    ...(lastError === undefined ? {} : { lastError }),
    ...(dispatchedAt === undefined ? {} : { dispatchedAt }),
    ...(dispatchedAt === undefined && retryAt !== undefined ? { retryAt } : {}),
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
