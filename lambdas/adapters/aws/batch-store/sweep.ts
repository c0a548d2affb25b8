import { BatchGetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { planDeadlineClose } from '../../../core/batching/batch-group-write.js';
import type { BatchRecord, OpenBatchRecord } from '../../../core/ports/batch-store.js';
import { BATCHES_BY_SWEEP_INDEX } from '../dynamodb/tables/batches-table.js';
import type { DedupeOptions } from './dedupe.js';
import { windowOf } from './dedupe.js';
import {
  type BatchTableContext,
  groupHash,
  type Item,
  inlineBudget,
  MEMBER_RECORD_BYTES,
  n,
  openRecordOf,
  s,
} from './items.js';
import { readHeader, writeGroup } from './writes.js';

/** Attempts at closing one batch whose header keeps changing under the sweep. */
const MAX_CLOSE_ATTEMPTS = 5;
/** Keys per BatchGetItem call (DynamoDB's limit). */
const KEYS_PER_BATCH_GET = 100;

/**
 * Open batches whose sweep mark is at or before `now`: one Query per shard
 * of the sparse index (`OPEN#<shard>`, `sweepAt <= now`), then the headers
 * themselves (the index holds keys only, so that appends never write it).
 */
export async function findDue(
  context: BatchTableContext,
  now: number,
  limit: number,
): Promise<OpenBatchRecord[]> {
  const items = await readQueued(context, 'OPEN', now, limit);
  return sortedOpen(items, now, limit);
}

/** Every open batch, earliest deadline first: the same queues without a bound on the mark. */
export async function listOpen(
  context: BatchTableContext,
  limit: number,
  now: number,
): Promise<OpenBatchRecord[]> {
  const items = await readQueued(context, 'OPEN', undefined, limit);
  return sortedOpen(items, now, limit);
}

function sortedOpen(items: readonly Item[], now: number, limit: number): OpenBatchRecord[] {
  return items
    .flatMap((item) => openRecordOf(item, now) ?? [])
    .sort((a, b) => a.dueAt - b.dueAt)
    .slice(0, limit);
}

/** The items a sweep queue lists (marks at or before `until`), read in full, at most `limit` per shard. */
export async function readQueued(
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
          IndexName: BATCHES_BY_SWEEP_INDEX,
          KeyConditionExpression:
            until === undefined ? 'sweepPk = :q' : 'sweepPk = :q AND sweepAt <= :until',
          ExpressionAttributeValues: {
            ':q': s(`${queue}#${shard}`),
            ...(until === undefined ? {} : { ':until': n(until) }),
          },
          Limit: limit,
        }),
      ),
    ),
  );
  const keys = pages.flatMap((page) =>
    (page.Items ?? []).flatMap((item) =>
      item.pk && item.sk ? [{ pk: item.pk, sk: item.sk }] : [],
    ),
  );
  return batchGet(context, keys);
}

/** Items by key, strongly consistent, 100 per BatchGetItem; unprocessed keys are asked for again. */
async function batchGet(context: BatchTableContext, keys: readonly Item[]): Promise<Item[]> {
  const items: Item[] = [];
  for (let start = 0; start < keys.length; start += KEYS_PER_BATCH_GET) {
    let pending: Item[] = keys.slice(start, start + KEYS_PER_BATCH_GET);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await context.sleep(Math.min(25 * 2 ** attempt, 1000));
      const result = await context.client.send(
        new BatchGetItemCommand({
          RequestItems: { [context.tableName]: { Keys: pending, ConsistentRead: true } },
        }),
      );
      items.push(...(result.Responses?.[context.tableName] ?? []));
      pending = (result.UnprocessedKeys?.[context.tableName]?.Keys ?? []) as Item[];
    }
  }
  return items;
}

export interface CloseSettings {
  readonly dedupe: DedupeOptions;
  readonly dispatchLeaseMs: number;
  readonly memberExpiresAt: number;
}

/**
 * Closes a due batch at its deadline with one write conditioned on the
 * header's revision: the header loses its open batch and the closed record
 * takes its last keys (a transaction). When an ingest extended the batch,
 * its sweep mark moves to the new deadline instead; when an ingest closed
 * it first, nothing happens. A lost race re-evaluates the header it returned.
 */
export async function closeDue(
  context: BatchTableContext,
  batch: OpenBatchRecord,
  now: number,
  settings: CloseSettings,
): Promise<BatchRecord | undefined> {
  const group = { automationId: batch.automationId, bucket: batch.bucket, prefix: batch.prefix };
  const hash = groupHash(group);
  let header = await readHeader(context, hash, now);
  for (let attempt = 0; attempt < MAX_CLOSE_ATTEMPTS; attempt++) {
    const { open } = header.state;
    const deadline = header.deadline;
    if (open === undefined || deadline === undefined || open.batchId !== batch.batchId) return;
    const due = deadline.at <= now;
    if (!due && header.sweepAt !== undefined && header.sweepAt >= deadline.at) return;
    const limits = {
      inlineBytes: inlineBudget(context, group, hash),
      memberRecordBytes: MEMBER_RECORD_BYTES,
      maxRecords: 96,
      maxKeyBytes: 3_000_000,
      dedupeRecordOf: windowOf,
    };
    const plan = due
      ? planDeadlineClose(header.state, deadline, limits)
      : {
          consumed: 0,
          next: { ...header.state, revision: header.state.revision + 1 },
          closed: [],
          memberChunks: [],
          flush: [],
          direct: [],
          transactional: false,
        };
    if (plan === undefined) return;
    const written = await writeGroup(context, group, hash, header, plan, {
      ...settings,
      now,
      deadline: due ? undefined : deadline,
      rearm: !due,
    });
    if (written.ok) return written.closed[0];
    header = written.current === 'unknown' ? await readHeader(context, hash, now) : written.current;
  }
  return undefined;
}
