import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { planAppend } from '../../core/batching/batch-append.js';
import type { CountedEvent } from '../../core/batching/batch-events.js';
import {
  applyEvent,
  batchDeadline,
  type ClosedBatch,
  type OpenBatch,
} from '../../core/batching/batch-state.js';
import type { BatchThresholds } from '../../core/batching/batch-thresholds.js';
import type { BatchRecord } from '../../core/ports/batch-store.js';
import { BatchContentionError } from '../../core/ports/batch-store-errors.js';
import {
  headerUpdate,
  NAMES,
  readHeader,
  type WriteResult,
  writeHeader,
} from './batch-store-header-writes.js';
import {
  type BatchGroup,
  type BatchTableContext,
  conditionFailureItem,
  decodeHeader,
  headerKey,
  type Item,
  n,
  openQueue,
  type StoredHeader,
  s,
} from './batch-store-items.js';

/** Closed records per transaction: DynamoDB allows 100 items, one is the header. */
const MAX_CLOSES_PER_WRITE = 99;
/** Conflicting writes tolerated before giving up on a group (the caller retries the deliveries). */
const MAX_CONFLICTS = 8;

/** Where the keys of one group's events went. */
export interface Assignment {
  readonly batchId: string;
  readonly keys: string[];
}

export interface HeaderOutcome {
  readonly assignments: Assignment[];
  readonly closed: BatchRecord[];
}

/**
 * Applies one group's new events (event-time order) to its header. Common
 * path: one conditional UpdateItem that appends without reading
 * ({@link planAppend}). Otherwise, knowing the stored header (returned by
 * the failed condition, or read), the events go through the core's
 * `applyEvent` and the result is written conditioned on the header's
 * revision: an UpdateItem, or a transaction with the closed records when
 * batches close (one transaction per 99 closes). A lost race re-runs the
 * remaining events against the header the failure returned.
 */
export async function applyToHeader(
  context: BatchTableContext,
  group: BatchGroup,
  hash: string,
  events: readonly CountedEvent[],
  thresholds: BatchThresholds,
  now: number,
): Promise<HeaderOutcome> {
  let header: StoredHeader | undefined | 'unknown' = 'unknown';
  const plan = planAppend(events, thresholds);
  if (plan !== undefined) {
    const fast = await appendBlind(context, group, hash, plan, now);
    if (typeof fast === 'string') {
      return {
        assignments: [{ batchId: fast, keys: events.map((event) => event.key) }],
        closed: [],
      };
    }
    header = fast.header;
  }
  if (header === 'unknown') header = await readHeader(context, group, hash);
  const assignments: Assignment[] = [];
  const closed: BatchRecord[] = [];
  let remaining = events;
  let conflicts = 0;
  while (remaining.length > 0) {
    const segment = runSegment(header, remaining, thresholds, group, () => context.newId(now));
    const written = await writeSegment(context, group, hash, header, segment, thresholds, now);
    if (written.ok) {
      assignments.push(...segment.assignments);
      closed.push(...segment.closed);
      remaining = remaining.slice(segment.consumed);
      header = { revision: (header?.revision ?? 0) + 1, open: segment.nextRecord };
    } else {
      if (++conflicts >= MAX_CONFLICTS) throw new BatchContentionError(group, conflicts);
      header =
        written.current === 'unknown' ? await readHeader(context, group, hash) : written.current;
    }
  }
  return { assignments, closed };
}

async function appendBlind(
  context: BatchTableContext,
  group: BatchGroup,
  hash: string,
  plan: NonNullable<ReturnType<typeof planAppend>>,
  now: number,
): Promise<string | { header: StoredHeader | undefined | 'unknown' }> {
  const withAge = plan.ageAtIfNew !== undefined && plan.requires.ageAtLeast !== undefined;
  const values: Item = {
    ':a': s(group.automationId),
    ':b': s(group.bucket),
    ':p': s(group.prefix),
    ':id': s(context.newId(now)),
    ':t1': n(plan.firstEventAt),
    ':tn': n(plan.lastEventAt),
    ':due': n(plan.dueAt),
    ':quiet': s('quiet'),
    ':q': s(openQueue(hash, context.shards)),
    ':n': n(plan.count),
    ':one': n(1),
    ':maxc': n(plan.requires.countAtMost),
    ...(withAge ? { ':age': n(plan.ageAtIfNew ?? 0) } : {}),
  };
  const extends_ = ['#d > :t1', '#l <= :tn', '#f <= :t1', '#c <= :maxc'];
  if (withAge) extends_.push('#g >= :due');
  try {
    const result = await context.client.send(
      new UpdateItemCommand({
        TableName: context.tableName,
        Key: headerKey(hash),
        UpdateExpression: [
          'SET #a = :a, #b = :b, #p = :p, #id = if_not_exists(#id, :id), #f = if_not_exists(#f, :t1),',
          withAge ? '#g = if_not_exists(#g, :age),' : '',
          '#l = :tn, #d = :due, #r = :quiet, #q = :q REMOVE #x ADD #c :n, #v :one',
        ].join(' '),
        ConditionExpression: `attribute_not_exists(#id) OR (${extends_.join(' AND ')})`,
        ExpressionAttributeNames: pick(NAMES, withAge ? [] : ['#g']),
        ExpressionAttributeValues: values,
        ReturnValues: 'UPDATED_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    const batchId = result.Attributes?.batchId?.S;
    if (batchId === undefined) throw new Error('UpdateItem returned no batchId');
    return batchId;
  } catch (error) {
    const item = conditionFailureItem(error);
    if (item === 'not-a-condition-failure') throw error;
    return { header: item === undefined ? 'unknown' : decodeHeader(item, group) };
  }
}

/** The result of applying a run of events in memory, up to {@link MAX_CLOSES_PER_WRITE} closes. */
interface Segment {
  readonly consumed: number;
  readonly next: (OpenBatch & { readonly batchId: string }) | undefined;
  readonly nextRecord: StoredHeader['open'];
  readonly closed: BatchRecord[];
  readonly assignments: Assignment[];
}

function runSegment(
  header: StoredHeader | undefined,
  events: readonly CountedEvent[],
  thresholds: BatchThresholds,
  group: BatchGroup,
  newId: () => string,
): Segment {
  const stored = header?.open;
  let open: OpenBatch | undefined = stored && { ...stored, keys: [] };
  let batchId = stored?.batchId;
  const closed: BatchRecord[] = [];
  const assignments: Assignment[] = [];
  const close = (batch: ClosedBatch, id: string) => {
    closed.push({ ...toRecord(batch, group), batchId: id });
    if (batch.keys.length > 0) assignments.push({ batchId: id, keys: [...batch.keys] });
  };
  let consumed = 0;
  for (const event of events) {
    if (closed.length >= MAX_CLOSES_PER_WRITE - 1) break;
    const overdue = open !== undefined && batchDeadline(open, thresholds).at <= event.time;
    const step = applyEvent(open, event, thresholds);
    let index = 0;
    const first = step.closed[0];
    if (overdue && first !== undefined && batchId !== undefined) {
      close(first, batchId);
      batchId = undefined;
      index = 1;
    }
    batchId ??= newId();
    const byCount = step.closed[index];
    if (byCount !== undefined) {
      close(byCount, batchId);
      batchId = undefined;
    }
    open = step.state;
    consumed++;
  }
  const next = open !== undefined && batchId !== undefined ? { ...open, batchId } : undefined;
  if (next !== undefined && next.keys.length > 0) {
    assignments.push({ batchId: next.batchId, keys: [...next.keys] });
  }
  const deadline = next && batchDeadline(next, thresholds);
  const nextRecord =
    next && deadline
      ? {
          ...group,
          batchId: next.batchId,
          count: next.count,
          firstEventAt: next.firstEventAt,
          lastEventAt: next.lastEventAt,
          dueAt: deadline.at,
          dueReason: deadline.reason,
          revision: (header?.revision ?? 0) + 1,
        }
      : undefined;
  return { consumed, next, nextRecord, closed, assignments };
}

function toRecord(batch: ClosedBatch, group: BatchGroup): Omit<BatchRecord, 'batchId'> {
  return {
    automationId: group.automationId,
    bucket: batch.bucket,
    prefix: batch.prefix,
    count: batch.count,
    firstEventAt: batch.firstEventAt,
    lastEventAt: batch.lastEventAt,
    reason: batch.reason,
    closedAt: batch.closedAt,
  };
}

async function writeSegment(
  context: BatchTableContext,
  group: BatchGroup,
  hash: string,
  header: StoredHeader | undefined,
  segment: Segment,
  thresholds: BatchThresholds,
  now: number,
): Promise<WriteResult> {
  const update = headerUpdate(context, group, hash, header, segment.nextRecord, thresholds, now);
  return writeHeader(context, group, update, segment.closed);
}

function pick(names: typeof NAMES, without: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(names).filter(([key]) => !without.includes(key)));
}
