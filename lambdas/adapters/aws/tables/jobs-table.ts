import type { TableDefinition } from '../table-definition.js';

/** GSI: jobs by creation time, partitioned by UTC month (`JOBS#2025-01`, sk `<createdAt>#<jobId>`). */
export const JOBS_BY_CREATED_INDEX = 'byCreated';
/** Sparse GSI: RUNNING tasks by lease end (`LEASE#<shard>`, sk leaseExpiresAt). */
export const TASKS_BY_LEASE_INDEX = 'byLease';
/** Sparse GSI: runnable QUEUED tasks by release time (`QUEUED#<shard>`, sk enqueuedAt). */
export const TASKS_BY_ENQUEUED_INDEX = 'byEnqueued';
/** Sparse GSI: completed tasks whose releases are not yet recorded as done (`RELEASE#<shard>`, sk releaseSince). */
export const TASKS_BY_PENDING_RELEASE_INDEX = 'byPendingRelease';

/**
 * The jobs table: job items, task items (same partition as their job) and
 * idempotency records. See docs/data-model/jobs.md for every item and access
 * pattern. Index projections hold only attributes that do not change with a
 * task's progress, so counter updates on the job item write no index.
 *
 * @example
 * ```ts
 * await ensureTable(client, jobsTable, 'bucketflow-jobs');
 * ```
 */
export const jobsTable: TableDefinition = {
  id: 'jobs',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
  globalIndexes: [
    {
      indexName: JOBS_BY_CREATED_INDEX,
      partitionKey: { name: 'jobsMonth', type: 'S' },
      sortKey: { name: 'jobsCreated', type: 'S' },
      projection: { include: ['automationId'] },
    },
    {
      indexName: TASKS_BY_LEASE_INDEX,
      partitionKey: { name: 'leaseShard', type: 'S' },
      sortKey: { name: 'leaseExpiresAt', type: 'N' },
      projection: { include: ['jobId', 'taskId', 'attempts', 'runnerId'] },
    },
    {
      indexName: TASKS_BY_ENQUEUED_INDEX,
      partitionKey: { name: 'queuedShard', type: 'S' },
      sortKey: { name: 'enqueuedAt', type: 'N' },
      projection: { include: ['jobId', 'taskId', 'attempts', 'cluster', 'notBefore'] },
    },
    {
      indexName: TASKS_BY_PENDING_RELEASE_INDEX,
      partitionKey: { name: 'releaseShard', type: 'S' },
      sortKey: { name: 'releaseSince', type: 'N' },
      projection: { include: ['jobId', 'taskId'] },
    },
  ],
};
