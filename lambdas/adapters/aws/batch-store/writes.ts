import {
  GetItemCommand,
  PutItemCommand,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import type { GroupWritePlan } from '../../../core/batching/batch-group-write.js';
import type { BatchDeadline } from '../../../core/batching/batch-state.js';
import type { BatchRecord } from '../../../core/ports/batch-store.js';
import { batchWrite, type DedupeOptions, dedupeRecords } from './dedupe.js';
import {
  type BatchGroup,
  type BatchTableContext,
  cancellationReasons,
  conditionFailureItem,
  decodeHeader,
  encodeClosed,
  encodeHeader,
  headerKey,
  type Item,
  n,
  type StoredHeader,
} from './items.js';
import { memberRecord } from './members.js';

/** An idle header (no open batch) is dropped after this long; the next event recreates it. */
const IDLE_HEADER_RETENTION_MS = 30 * 24 * 3600 * 1000;

/** How a planned write turns into items: times and expiries. */
export interface WriteSettings {
  readonly dedupe: DedupeOptions;
  /** Processing time now, epoch ms. */
  readonly now: number;
  /** The open batch's deadline after the write (by the policy, or as stored for the sweep). */
  readonly deadline: BatchDeadline | undefined;
  /** Epoch seconds when member records written now may be dropped. */
  readonly memberExpiresAt: number;
  /** How long a batch closed now is left to this caller before the sweep may dispatch it. */
  readonly dispatchLeaseMs: number;
  /** Moves the sweep mark to the deadline even if an earlier one is stored (the sweep's re-arm). */
  readonly rearm?: boolean;
}

export type WriteOutcome =
  | { readonly ok: true; readonly header: StoredHeader; readonly closed: BatchRecord[] }
  | { readonly ok: false; readonly current: StoredHeader | 'unknown' };

/**
 * Writes a planned group write conditioned on the revision it was planned
 * from: the pending fingerprints it drops to dedupe records first (they are
 * already counted), then the header alone (PutItem) or the header with the
 * closed records, member records and new dedupe records in one transaction.
 * A lost condition returns the header the failure reported, unless that
 * header is this very write (a retry whose first response was lost).
 */
export async function writeGroup(
  context: BatchTableContext,
  group: BatchGroup,
  hash: string,
  stored: StoredHeader,
  plan: GroupWritePlan,
  settings: WriteSettings,
): Promise<WriteOutcome> {
  const { now } = settings;
  if (plan.flush.length > 0) {
    await batchWrite(context, dedupeRecords(context, hash, plan.flush, settings.dedupe, now));
  }
  const writeId = context.newWriteId();
  const next = plan.next;
  const keepMark =
    !settings.rearm &&
    next.open !== undefined &&
    stored.state.open?.batchId === next.open.batchId &&
    stored.sweepAt !== undefined &&
    settings.deadline !== undefined &&
    stored.sweepAt <= settings.deadline.at;
  const header = encodeHeader(context, group, hash, {
    state: next,
    deadline: settings.deadline,
    sweepAt: keepMark ? stored.sweepAt : settings.deadline?.at,
    writeId,
    expiresAt: Math.ceil((now + IDLE_HEADER_RETENTION_MS) / 1000),
  });
  const put = {
    TableName: context.tableName,
    Item: header,
    ...(stored.absent
      ? { ConditionExpression: 'attribute_not_exists(pk)' }
      : {
          ConditionExpression: 'revision = :revision',
          ExpressionAttributeValues: { ':revision': n(stored.state.revision) },
        }),
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  };
  const retryAt = now + settings.dispatchLeaseMs;
  const closed: BatchRecord[] = plan.closed.map((planned) => ({
    batchId: planned.batchId,
    automationId: group.automationId,
    bucket: group.bucket,
    prefix: group.prefix,
    count: planned.batch.count,
    firstEventAt: planned.batch.firstEventAt,
    lastEventAt: planned.batch.lastEventAt,
    reason: planned.batch.reason,
    closedAt: planned.batch.closedAt,
    writtenAt: now,
    keyBytes: planned.keyBytes,
    attempts: 0,
    retryAt,
  }));
  try {
    if (!plan.transactional) {
      await context.client.send(new PutItemCommand(put));
    } else {
      const items: TransactWriteItem[] = [{ Put: put }];
      const add = (item: Item, ConditionExpression?: string) =>
        items.push({
          Put: {
            TableName: context.tableName,
            Item: item,
            ...(ConditionExpression ? { ConditionExpression } : {}),
          },
        });
      closed.forEach((record, index) => {
        const planned = plan.closed[index];
        const members = {
          tailKeys: planned?.tailKeys ?? [],
          memberRecords: planned?.memberRecords ?? 0,
        };
        add(encodeClosed(context, record, members, retryAt), 'attribute_not_exists(pk)');
      });
      for (const chunk of plan.memberChunks) add(memberRecord(chunk, settings.memberExpiresAt));
      for (const item of dedupeRecords(context, hash, plan.direct, settings.dedupe, now)) add(item);
      await context.client.send(
        new TransactWriteItemsCommand({ TransactItems: items, ClientRequestToken: writeId }),
      );
    }
  } catch (error) {
    const current = lostCondition(error, now);
    if (current === undefined) throw error;
    if (current !== 'unknown' && current.lastWrite === writeId) {
      return { ok: true, header: current, closed };
    }
    return { ok: false, current };
  }
  return { ok: true, header: decodeHeader(header, now), closed };
}

/** The header a lost condition reported; 'unknown' for a transaction conflict; undefined for any other error. */
function lostCondition(error: unknown, now: number): StoredHeader | 'unknown' | undefined {
  const item = conditionFailureItem(error);
  if (item !== 'not-a-condition-failure') return decodeHeader(item, now);
  const reasons = cancellationReasons(error);
  if (reasons === undefined) return undefined;
  const headerReason = reasons[0];
  if (headerReason?.Code === 'ConditionalCheckFailed') return decodeHeader(headerReason.Item, now);
  // A concurrent transaction on one of the items: read again.
  return 'unknown';
}

/** The header of a group: one strongly consistent GetItem. */
export async function readHeader(
  context: BatchTableContext,
  hash: string,
  now: number,
): Promise<StoredHeader> {
  const result = await context.client.send(
    new GetItemCommand({
      TableName: context.tableName,
      Key: headerKey(hash),
      ConsistentRead: true,
    }),
  );
  return decodeHeader(result.Item, now);
}
