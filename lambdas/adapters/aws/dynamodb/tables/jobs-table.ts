import type { TableDefinition } from '../table-definition.js';

/**
 * GSI: jobs by creation time, partitioned by UTC day and shard
 * (`JOBS#2025-01-15#<n>`, sk `<createdAt>#<jobId>`), so that no partition
 * key takes every job's write; a query visits every shard of each day.
 */
export const JOBS_BY_CREATED_INDEX = 'byCreatedDay';
/**
 * Sparse GSI: tasks the reconciler must look at by a time (`DUE#<n>`, sk
 * `dueAt`): runnable QUEUED tasks (a lost send), RUNNING tasks (an expired
 * lease) and completions whose follow-up releases have not been recorded.
 */
export const TASKS_BY_DUE_INDEX = 'byDue';

/**
 * The jobs table: job items (holding the root task of a single-root job),
 * task items (same partition as their job), idempotency records and runner
 * registrations. See docs/data-model/jobs.md for every item and access
 * pattern. Index projections hold only keys and attributes that never change,
 * so claims, heartbeats and counter updates write no index.
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
      partitionKey: { name: 'createdDay', type: 'S' },
      sortKey: { name: 'createdKey', type: 'S' },
      projection: { include: ['automationId'] },
    },
    {
      indexName: TASKS_BY_DUE_INDEX,
      partitionKey: { name: 'dueShard', type: 'S' },
      sortKey: { name: 'dueAt', type: 'N' },
      projection: 'KEYS_ONLY',
    },
  ],
};
