import { getRandomValues } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { encodeUlid, ULID_RANDOM_BYTES } from '../../../core/jobs/ulid.js';
import type {
  AttemptEndResult,
  CancelJobResult,
  ClaimRequest,
  ClaimResult,
  CompleteRequest,
  CompleteResult,
  ExpiredLease,
  FailRequest,
  JobPage,
  JobQuery,
  JobStore,
  LeaseRef,
  RequeueResult,
  RetryJobResult,
  StoredJob,
  StoredTask,
  SubmitJobRequest,
  SubmitJobResult,
} from '../../../core/ports/job-store.js';
import { JobNotFoundError, TaskNotFoundError } from '../../../core/ports/job-store.js';
import type { TaskMessage } from '../../../core/ports/task-queue.js';
import { REDELIVERY_HORIZON_MS } from '../../../core/retention.js';
import { documentClient } from '../dynamodb/document-client.js';
import { claimTask, extendLease } from './claims.js';
import { completeTask } from './completion.js';
import { hasInlineRoot, JOB_SK, jobKey, taskKey, toJob, toTask } from './items.js';
import * as lifecycle from './lifecycle.js';
import { getItem, listTaskItems, queryJobs } from './reads.js';
import * as reconcile from './reconcile.js';
import { releaseSettled } from './releases.js';
import type { JobStoreContext } from './store-context.js';
import { submitJob } from './submit.js';
import { failTask, requeueExpiredLease } from './transitions.js';

type DueRef = Pick<StoredTask, 'jobId' | 'taskId' | 'state' | 'attempts'>;

/** Lease a claim gets unless it asks for another: five minutes, renewed by heartbeats. */
export const DEFAULT_LEASE_MS = 5 * 60 * 1000;
/**
 * How long an idempotency record makes a repeated submit return the first
 * job: as long as an event can come back from the ingest queue and its DLQ
 * (18 days), so a late redelivery never submits a second job.
 */
export const DEFAULT_IDEMPOTENCY_TTL_SECONDS = REDELIVERY_HORIZON_MS / 1000;
/**
 * Partitions of the due index: every task's entry is put at submit (2 WU in
 * the transaction), moved by the claim (2 WU) and removed by the completion
 * (1 WU), so at 10,000 tasks/s each shard takes about 780 WU/s, under the
 * 1,000 a partition sustains (`npm run bench -- partitions`).
 */
export const DEFAULT_DUE_SHARDS = 64;
/** Partitions per UTC day of the by-creation index: 10,000 jobs/s make about 625 WU/s each (2 per transactional submit). */
export const DEFAULT_CREATED_SHARDS = 32;
/**
 * The reconciler first looks at a runnable task this long after its
 * release: as long as a runner's default lease, so that a claim with that
 * lease needs no index write to have a crash found when the lease ends.
 */
export const DEFAULT_CHECK_AFTER_MS = 60_000;

export interface DynamoDbJobStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Epoch ms now. @default Date.now */
  readonly clock?: () => number;
  /** @default DEFAULT_LEASE_MS */
  readonly leaseMs?: number;
  /** Cluster of root tasks that do not name one. @default 'default' */
  readonly defaultCluster?: string;
  /** @default DEFAULT_IDEMPOTENCY_TTL_SECONDS */
  readonly idempotencyTtlSeconds?: number;
  /** Shards of the due index; may grow, never shrink, over the table's life. @default 32 */
  readonly dueShards?: number;
  /** Shards per day of the by-creation index; may grow, never shrink. @default 16 */
  readonly createdShards?: number;
  /** Delay of the reconciler's first look at a runnable task. @default 1 minute */
  readonly checkAfterMs?: number;
}

/**
 * The job store on one DynamoDB table (`jobsTable`): jobs, their tasks and
 * idempotency records. See docs/data-model/jobs.md for items, keys, indexes
 * and the requests each operation costs.
 *
 * @example
 * ```ts
 * const store = new DynamoDbJobStore({ client: clients.dynamodb, tableName: 'bucketflow-jobs' });
 * const { job, runnable } = await store.submit({
 *   name: 'thumbnails',
 *   root: { identifier: taskIdentifier('Resize', 'v1.0'), input: { key: 'a.tif' } },
 *   idempotencyKey: 'storage:01J…:photos:a.tif:0055AED6DCD90281E5',
 * });
 * ```
 */
export class DynamoDbJobStore implements JobStore {
  readonly #context: JobStoreContext;

  constructor(options: DynamoDbJobStoreOptions) {
    const clock = options.clock ?? Date.now;
    this.#context = {
      doc: documentClient(options.client),
      tableName: options.tableName,
      clock,
      newId: monotonicIds(),
      dueShards: options.dueShards ?? DEFAULT_DUE_SHARDS,
      createdShards: options.createdShards ?? DEFAULT_CREATED_SHARDS,
      checkAfterMs: options.checkAfterMs ?? DEFAULT_CHECK_AFTER_MS,
      claimed: new Map(),
      markedDays: new Set(),
      leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
      defaultCluster: options.defaultCluster ?? 'default',
      idempotencyTtlSeconds: options.idempotencyTtlSeconds ?? DEFAULT_IDEMPOTENCY_TTL_SECONDS,
    };
  }

  submit(request: SubmitJobRequest): Promise<SubmitJobResult> {
    return submitJob(this.#context, request);
  }

  async findJob(jobId: string): Promise<StoredJob | undefined> {
    const item = await getItem(this.#context, jobKey(jobId));
    return item ? toJob(item) : undefined;
  }

  async getJob(jobId: string): Promise<StoredJob> {
    const job = await this.findJob(jobId);
    if (!job) throw new JobNotFoundError(jobId);
    return job;
  }

  async getTask(jobId: string, taskId: string): Promise<StoredTask> {
    const item = await getItem(this.#context, taskKey(jobId, taskId));
    if (!item || (item.sk === JOB_SK && !hasInlineRoot(item))) {
      throw new TaskNotFoundError(jobId, taskId);
    }
    return toTask(item);
  }

  async listTasks(jobId: string): Promise<StoredTask[]> {
    return (await listTaskItems(this.#context, jobId)).map(toTask);
  }

  queryJobs(query: JobQuery): Promise<JobPage> {
    return queryJobs(this.#context, query);
  }

  claim(request: ClaimRequest): Promise<ClaimResult> {
    return claimTask(this.#context, request);
  }

  heartbeat(lease: LeaseRef, leaseMs?: number): Promise<number> {
    return extendLease(this.#context, lease, leaseMs);
  }

  complete(request: CompleteRequest): Promise<CompleteResult> {
    return completeTask(this.#context, request);
  }

  fail(request: FailRequest): Promise<AttemptEndResult> {
    return failTask(this.#context, request);
  }

  cancelJob(jobId: string): Promise<CancelJobResult> {
    return lifecycle.cancelJob(this.#context, jobId);
  }

  retryJob(jobId: string): Promise<RetryJobResult> {
    return lifecycle.retryJob(this.#context, jobId);
  }

  findDueTasks(upTo: number, limit: number): Promise<StoredTask[]> {
    return reconcile.findDueTasks(this.#context, upTo, limit);
  }

  deferDue(task: DueRef, dueAt: number): Promise<boolean> {
    return reconcile.deferDue(this.#context, task, dueAt);
  }

  clearDue(task: DueRef): Promise<boolean> {
    return reconcile.clearDue(this.#context, task);
  }

  requeueExpired(lease: ExpiredLease): Promise<RequeueResult> {
    return requeueExpiredLease(this.#context, lease);
  }

  resumeReleases(jobId: string, taskId: string): Promise<TaskMessage[]> {
    return releaseSettled(this.#context, jobId, taskId);
  }
}

/**
 * ULIDs that keep increasing within one millisecond (the random part of the
 * previous id plus one), so a batch's ids sort in input order.
 */
function monotonicIds(): (now: number) => string {
  let lastTime = -1;
  let last: Uint8Array = new Uint8Array(ULID_RANDOM_BYTES);
  return (now) => {
    if (now <= lastTime) {
      last = increment(last);
    } else {
      lastTime = now;
      last = getRandomValues(new Uint8Array(ULID_RANDOM_BYTES));
      // Leave headroom so that increments within the millisecond do not overflow.
      last[0] = (last[0] ?? 0) & 0x7f;
    }
    return encodeUlid(lastTime, last);
  };
}

function increment(bytes: Uint8Array): Uint8Array {
  const next = Uint8Array.from(bytes);
  for (let index = next.length - 1; index >= 0; index--) {
    const value = (next[index] ?? 0) + 1;
    next[index] = value & 0xff;
    if (value <= 0xff) break;
  }
  return next;
}
