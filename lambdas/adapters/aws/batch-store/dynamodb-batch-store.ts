import { randomBytes as nodeRandomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  groupEventsByPrefix,
  groupId,
  sortByEventTime,
} from '../../../core/batching/batch-events.js';
import { batchPrefix } from '../../../core/batching/batch-prefix.js';
import type { BatchPolicy } from '../../../core/batching/batch-thresholds.js';
import { mapConcurrent } from '../../../core/collections.js';
import { encodeUlid } from '../../../core/jobs/ulid.js';
import type {
  ApplyBatchResult,
  BatchAggregate,
  BatchRecord,
  BatchStore,
  DeliveredBatchEvent,
  FailedBatchGroup,
  OpenBatchRecord,
} from '../../../core/ports/batch-store.js';
import { InvalidBatchQueryError, MAX_BATCH_TIME_MS } from '../../../core/ports/batch-store.js';
import { BATCH_RETENTION_MS, REDELIVERY_HORIZON_MS } from '../../../core/retention.js';
import type { DedupeOptions } from './dedupe.js';
import {
  findClosed,
  findUndispatched,
  leaseDispatch,
  listUndispatched,
  markDispatched,
  recordDispatchFailure,
} from './dispatch.js';
import { applyGroup } from './group.js';
import type { BatchTableContext } from './items.js';
import { groupHash, openRecordOfHeader } from './items.js';
import { memberPages, readMembers } from './members.js';
import { closeDue, findDue, listOpen } from './sweep.js';
import { readHeader } from './writes.js';

/** Most batches one listing returns. */
const MAX_LIST_LIMIT = 1000;
/**
 * How long a batch closed by an invocation is left to it before the sweep
 * may dispatch it: longer than an ingest or sweep invocation runs (their
 * Lambda timeouts are below five minutes), counted in processing time.
 */
export const DISPATCH_LEASE_MS = 5 * 60_000;

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
  /** Index partitions per sweep queue (open, closed): spreads index writes; the sweep reads each. @default DEFAULT_BATCH_SHARDS */
  readonly shards?: number;
  /** Event-time window of a dedupe record, whole seconds. @default 60_000 (1 min) */
  readonly dedupeWindowMs?: number;
  /**
   * How long a dedupe record is kept after it is written: as long as an
   * event can come back from the ingest queue and its DLQ.
   * @default REDELIVERY_HORIZON_MS (18 days)
   */
  readonly dedupeRetentionMs?: number;
  /** How long a dispatched batch and its members are kept. @default BATCH_RETENTION_MS (14 days) */
  readonly retentionMs?: number;
  /** How long a closing invocation has to dispatch its batches before the sweep may. @default DISPATCH_LEASE_MS */
  readonly dispatchLeaseMs?: number;
  /** Prefixes of one aggregate written in parallel. @default 16 */
  readonly concurrency?: number;
  /** Randomness for batch and write ids. @default node:crypto randomBytes */
  readonly randomBytes?: (size: number) => Uint8Array;
  /** Clock for reads that take no `now` (expiry checks). @default Date.now */
  readonly clock?: () => number;
  /** Waits between retries of unprocessed batch reads and writes. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * {@link BatchStore} on one DynamoDB table ({@link batchesTable}). Per prefix
 * and invocation the common path costs one GetItem of the header, one Query
 * of dedupe records per event-time window, and one PutItem of the header
 * (about 1 KB) that counts the events, records their fingerprints and holds
 * their keys; keys and fingerprints move to their own records when the
 * header would outgrow 1 KB. See docs/data-model/automations-batches.md.
 *
 * @example
 * ```ts
 * const store = new DynamoDbBatchStore({ client: clients.dynamodb, tableName: 'bucketflow-batches' });
 * const { closed } = await store.apply({ automationId, policy, events }, Date.now());
 * ```
 */
export class DynamoDbBatchStore implements BatchStore {
  readonly #context: BatchTableContext;
  readonly #dedupe: DedupeOptions;
  readonly #retentionMs: number;
  readonly #dispatchLeaseMs: number;
  readonly #concurrency: number;
  readonly #clock: () => number;

  constructor(options: DynamoDbBatchStoreOptions) {
    const randomBytes = options.randomBytes ?? ((size) => new Uint8Array(nodeRandomBytes(size)));
    this.#context = {
      client: options.client,
      tableName: options.tableName,
      shards: options.shards ?? DEFAULT_BATCH_SHARDS,
      newId: (now) => encodeUlid(now, randomBytes(10)),
      newWriteId: () => Buffer.from(randomBytes(6)).toString('base64url'),
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    };
    const windowMs = options.dedupeWindowMs ?? 60_000;
    if (!Number.isInteger(windowMs / 1000) || windowMs <= 0) {
      throw new InvalidBatchQueryError(
        'dedupeWindowMs',
        `must be a positive whole number of seconds in ms, got ${windowMs}`,
        'e.g. 60000',
      );
    }
    this.#dedupe = { windowMs, retentionMs: options.dedupeRetentionMs ?? REDELIVERY_HORIZON_MS };
    this.#retentionMs = options.retentionMs ?? BATCH_RETENTION_MS;
    this.#dispatchLeaseMs = options.dispatchLeaseMs ?? DISPATCH_LEASE_MS;
    this.#concurrency = options.concurrency ?? 16;
    this.#clock = options.clock ?? Date.now;
  }

  async apply(aggregate: BatchAggregate, now: number): Promise<ApplyBatchResult> {
    checkTime('now', now);
    const { automationId, policy } = aggregate;
    const { groups, stats } = groupEventsByPrefix(sortByEventTime(aggregate.events), policy);
    const settings = {
      dedupe: this.#dedupe,
      dispatchLeaseMs: this.#dispatchLeaseMs,
      memberExpiresAt: Math.ceil((now + lifetimeMs(policy) + this.#retentionMs) / 1000),
    };
    const outcomes = await mapConcurrent(groups, this.#concurrency, async (group) => {
      const batchGroup = { automationId, bucket: group.bucket, prefix: group.prefix };
      try {
        const outcome = await applyGroup(
          this.#context,
          batchGroup,
          group.events,
          policy,
          settings,
          now,
        );
        return { group, ...outcome };
      } catch (error) {
        return { group, error };
      }
    });
    const failures = new Map<string, unknown>();
    const closed: BatchRecord[] = [];
    for (const outcome of outcomes) {
      if ('error' in outcome) {
        failures.set(groupId(outcome.group.bucket, outcome.group.prefix), outcome.error);
        continue;
      }
      stats.counted -= outcome.duplicateMembers;
      stats.markers -= outcome.duplicateMarkers;
      stats.duplicates += outcome.duplicateMembers + outcome.duplicateMarkers;
      closed.push(...outcome.closed);
    }
    return { stats, closed, failed: failedGroups(aggregate.events, policy, failures) };
  }

  findDue(now: number, limit: number): Promise<OpenBatchRecord[]> {
    return findDue(this.#context, checkTime('now', now), limit);
  }

  /** One Query per shard of the open queue, without a bound on the mark, then the headers. */
  listOpen(limit: number): Promise<OpenBatchRecord[]> {
    return listOpen(this.#context, checkLimit(limit), this.#clock());
  }

  closeDue(batch: OpenBatchRecord, now: number): Promise<BatchRecord | undefined> {
    checkTime('now', now);
    return closeDue(this.#context, batch, now, {
      dedupe: this.#dedupe,
      dispatchLeaseMs: this.#dispatchLeaseMs,
      // The sweep does not know the policy: members it writes outlive the retention of a
      // dispatched batch counted from now.
      memberExpiresAt: Math.ceil((now + 2 * this.#retentionMs) / 1000),
    });
  }

  findUndispatched(now: number, limit: number): Promise<BatchRecord[]> {
    return findUndispatched(this.#context, checkTime('now', now), limit);
  }

  leaseDispatch(batch: BatchRecord, now: number, leaseMs: number): Promise<boolean> {
    return leaseDispatch(this.#context, batch, checkTime('now', now), leaseMs);
  }

  markDispatched(batchId: string, now: number): Promise<boolean> {
    return markDispatched(this.#context, batchId, checkTime('now', now), this.#retentionMs);
  }

  recordDispatchFailure(batchId: string, error: string, retryAt: number): Promise<void> {
    return recordDispatchFailure(this.#context, batchId, error, checkTime('retryAt', retryAt));
  }

  listUndispatched(limit: number): Promise<BatchRecord[]> {
    return listUndispatched(this.#context, checkLimit(limit));
  }

  readMembers(batchId: string): Promise<string[]> {
    return readMembers(this.#context, batchId, this.#clock());
  }

  memberPages(batchId: string): AsyncIterable<readonly string[]> {
    return memberPages(this.#context, batchId, this.#clock());
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
    const header = await readHeader(this.#context, groupHash(group), this.#clock());
    return openRecordOfHeader(header, automationId);
  }
}

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new InvalidBatchQueryError(
      'limit',
      `must be an integer from 1 to ${MAX_LIST_LIMIT}, got ${String(limit)}`,
      'pass e.g. 100',
    );
  }
  return limit;
}

/**
 * A time the store writes or compares: integer epoch ms up to year 9999, so
 * that the times derived from it (deadlines, leases, expiries) stay exact.
 */
function checkTime(name: 'now' | 'retryAt', time: number): number {
  if (!Number.isInteger(time) || time < 0 || time > MAX_BATCH_TIME_MS) {
    throw new InvalidBatchQueryError(
      name,
      `must be an integer epoch ms from 0 to ${MAX_BATCH_TIME_MS} (9999-12-31), got ${String(time)}`,
      'pass a clock time such as Date.now(); for "whatever the thresholds", a far-future time such as Date.UTC(9000, 0)',
    );
  }
  return time;
}

/**
 * The longest a batch can stay open, so member records outlive it: the
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
