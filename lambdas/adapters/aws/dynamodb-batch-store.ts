import { randomBytes as nodeRandomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { groupEventsByPrefix, groupId, sortByEventTime } from '../../core/batching/batch-events.js';
import { batchPrefix } from '../../core/batching/batch-prefix.js';
import type { BatchPolicy } from '../../core/batching/batch-thresholds.js';
import { mapConcurrent } from '../../core/collections.js';
import { encodeUlid } from '../../core/jobs/ulid.js';
import type {
  ApplyBatchResult,
  BatchAggregate,
  BatchRecord,
  BatchStore,
  DeliveredBatchEvent,
  FailedBatchGroup,
  OpenBatchRecord,
} from '../../core/ports/batch-store.js';
import { InvalidBatchQueryError } from '../../core/ports/batch-store-errors.js';
import { REDELIVERY_HORIZON_MS } from '../../core/retention.js';
import { claimDeliveries, identityOf, ownerTag } from './batch-store-dedupe.js';
import { type Assignment, applyToHeader } from './batch-store-header.js';
import { readHeader } from './batch-store-header-writes.js';
import { type BatchTableContext, groupHash } from './batch-store-items.js';
import { readMembers, writeMembers } from './batch-store-members.js';
import {
  closeDue,
  findClosed,
  findDue,
  findUndispatched,
  listOpen,
  markDispatched,
} from './batch-store-sweep.js';

/** Most open batches one {@link DynamoDbBatchStore.listOpen} returns. */
const MAX_LIST_LIMIT = 1000;

/**
 * GSI partitions per queue (open, closed). Every header update moves its
 * open-batch entry (2 WU); 100,000 events/s over 100 prefixes make about
 * 20,000 such writes/s; with 64 shards the fullest (5 of 100 groups) takes
 * 1,000 WU/s (`npm run bench -- partitions`).
 */
export const DEFAULT_BATCH_SHARDS = 64;

export interface DynamoDbBatchStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** GSI partitions per queue (open, closed): spreads index writes; the sweep reads each. @default DEFAULT_BATCH_SHARDS */
  readonly shards?: number;
  /** Event-time window of a dedupe item. @default 10_000 (10 s) */
  readonly dedupeWindowMs?: number;
  /**
   * How long a delivery is remembered for dedupe after it was last seen: as
   * long as an event can come back from the ingest queue and its DLQ.
   * @default REDELIVERY_HORIZON_MS (18 days)
   */
  readonly dedupeRetentionMs?: number;
  /** How long a dispatched batch and its members are kept. @default 604_800_000 (7 days) */
  readonly retentionMs?: number;
  /** Largest member item. @default 350_000 (DynamoDB allows 400 KB) */
  readonly maxMemberItemBytes?: number;
  /** Prefixes of one aggregate written in parallel. @default 16 */
  readonly concurrency?: number;
  /** Randomness for batch ids and anonymous deliveries. @default node:crypto randomBytes */
  readonly randomBytes?: (size: number) => Uint8Array;
  /** Clock for reads that take no `now` (expiry checks). @default Date.now */
  readonly clock?: () => number;
}

/**
 * {@link BatchStore} on one DynamoDB table ({@link batchesTable}). Per prefix
 * and invocation the common path costs one dedupe UpdateItem per event-time
 * window, one header UpdateItem, and a share of one BatchWriteItem for the
 * member keys. See docs/data-model/automations-batches.md.
 *
 * @example
 * ```ts
 * const store = new DynamoDbBatchStore({ client: clients.dynamodb, tableName: 'bucketflow-batches' });
 * const { closed } = await store.apply({ automationId, policy, events }, Date.now());
 * ```
 */
export class DynamoDbBatchStore implements BatchStore {
  readonly #context: BatchTableContext;
  readonly #dedupe: { windowMs: number; retentionMs: number };
  readonly #retentionMs: number;
  readonly #maxMemberItemBytes: number;
  readonly #concurrency: number;
  readonly #randomBytes: (size: number) => Uint8Array;
  readonly #clock: () => number;

  constructor(options: DynamoDbBatchStoreOptions) {
    this.#randomBytes = options.randomBytes ?? ((size) => new Uint8Array(nodeRandomBytes(size)));
    this.#context = {
      client: options.client,
      tableName: options.tableName,
      shards: options.shards ?? DEFAULT_BATCH_SHARDS,
      newId: (now) => encodeUlid(now, this.#randomBytes(10)),
    };
    this.#dedupe = {
      windowMs: options.dedupeWindowMs ?? 10_000,
      retentionMs: options.dedupeRetentionMs ?? REDELIVERY_HORIZON_MS,
    };
    this.#retentionMs = options.retentionMs ?? 604_800_000;
    this.#maxMemberItemBytes = options.maxMemberItemBytes ?? 350_000;
    this.#concurrency = options.concurrency ?? 16;
    this.#clock = options.clock ?? Date.now;
  }

  async apply(aggregate: BatchAggregate, now: number): Promise<ApplyBatchResult> {
    const { automationId, policy } = aggregate;
    const sorted = sortByEventTime(aggregate.events);
    const anonymous = ownerTag(`anonymous:${this.#context.newId(now)}`);
    // The first delivery of an identity owns its claim, as the first occurrence is the one counted.
    const owners = new Map<string, string>();
    for (const event of sorted) {
      const identity = identityOf(event);
      if (identity !== undefined && !owners.has(identity)) {
        owners.set(
          identity,
          event.deliveryId === undefined ? anonymous : ownerTag(event.deliveryId),
        );
      }
    }
    const { groups, stats } = groupEventsByPrefix(sorted, policy);
    const outcomes = await mapConcurrent(groups, this.#concurrency, async (group) => {
      const batchGroup = { automationId, bucket: group.bucket, prefix: group.prefix };
      const hash = groupHash(batchGroup);
      try {
        const owned = group.events.map((event) => {
          const identity = identityOf(event);
          return { event, owner: (identity && owners.get(identity)) ?? anonymous };
        });
        const fresh = await claimDeliveries(this.#context, this.#dedupe, hash, owned, now);
        const duplicates = group.events.length - fresh.length;
        if (fresh.length === 0) return { group, duplicates, assignments: [], closed: [] };
        const applied = await applyToHeader(this.#context, batchGroup, hash, fresh, policy, now);
        return { group, duplicates, ...applied };
      } catch (error) {
        return { group, error };
      }
    });
    const failures = new Map<string, unknown>();
    const assignments: { assignment: Assignment; group: string }[] = [];
    const closed: BatchRecord[] = [];
    for (const outcome of outcomes) {
      const id = groupId(outcome.group.bucket, outcome.group.prefix);
      if ('error' in outcome) {
        failures.set(id, outcome.error);
        continue;
      }
      stats.counted -= outcome.duplicates;
      stats.duplicates += outcome.duplicates;
      for (const assignment of outcome.assignments) assignments.push({ assignment, group: id });
      closed.push(...outcome.closed);
    }
    const expiresAt = Math.ceil((now + lifetimeMs(policy) + this.#retentionMs) / 1000);
    const unwritten = await writeMembers(
      this.#context,
      assignments.map(({ assignment }) => ({ ...assignment, expiresAt })),
      this.#maxMemberItemBytes,
      now,
    );
    for (const { assignment, group } of assignments) {
      if (unwritten.has(assignment.batchId)) failures.set(group, unwritten.get(assignment.batchId));
    }
    return {
      stats,
      closed: closed.filter((record) => !failures.has(groupId(record.bucket, record.prefix))),
      failed: failedGroups(aggregate.events, policy, failures),
    };
  }

  findDue(now: number, limit: number): Promise<OpenBatchRecord[]> {
    return findDue(this.#context, now, limit);
  }

  /** One Query per shard on the due index, without a bound on the deadline. */
  listOpen(limit: number): Promise<OpenBatchRecord[]> {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
      throw new InvalidBatchQueryError(
        'limit',
        `must be an integer from 1 to ${MAX_LIST_LIMIT}, got ${String(limit)}`,
        'pass e.g. 100',
      );
    }
    return listOpen(this.#context, limit);
  }

  closeDue(batch: OpenBatchRecord, now: number): Promise<BatchRecord | undefined> {
    return closeDue(this.#context, batch, now);
  }

  findUndispatched(closedBefore: number, limit: number): Promise<BatchRecord[]> {
    return findUndispatched(this.#context, closedBefore, limit);
  }

  markDispatched(batchId: string, now: number): Promise<boolean> {
    return markDispatched(this.#context, batchId, now, this.#retentionMs);
  }

  readMembers(batchId: string): Promise<string[]> {
    return readMembers(this.#context, batchId, this.#clock());
  }

  findClosed(batchId: string): Promise<BatchRecord | undefined> {
    return findClosed(this.#context, batchId, this.#clock());
  }

  async findOpen(
    automationId: string,
    bucket: string,
    prefix: string,
  ): Promise<OpenBatchRecord | undefined> {
    const group = { automationId, bucket, prefix };
    return (await readHeader(this.#context, group, groupHash(group)))?.open;
  }
}

/**
 * The longest a batch can stay open, so member items outlive it: the
 * maximum age, or without one `count` quiet periods (each event extends it
 * by at most one).
 */
function lifetimeMs(policy: BatchPolicy): number {
  const seconds = policy.maxAgeSeconds ?? policy.count * policy.quietSeconds;
  return seconds * 1000;
}

function failedGroups(
  events: readonly DeliveredBatchEvent[],
  policy: BatchPolicy,
  failures: ReadonlyMap<string, unknown>,
): FailedBatchGroup[] {
  if (failures.size === 0) return [];
  const byGroup = new Map<string, FailedBatchGroup & { events: DeliveredBatchEvent[] }>();
  for (const event of events) {
    const prefix = batchPrefix(event.key, policy.prefixDepth);
    const id = groupId(event.bucket, prefix);
    if (!failures.has(id)) continue;
    let failed = byGroup.get(id);
    if (failed === undefined) {
      failed = { bucket: event.bucket, prefix, error: failures.get(id), events: [] };
      byGroup.set(id, failed);
    }
    failed.events.push(event);
  }
  return [...byGroup.values()];
}
