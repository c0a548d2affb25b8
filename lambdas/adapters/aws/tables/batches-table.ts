import type { TableDefinition } from '../table-definition.js';

/**
 * Sparse GSI over the batches table: open batch headers by deadline
 * (`duePk` = `OPEN#<shard>`, `dueAt` = deadline) and closed batches not yet
 * dispatched (`duePk` = `CLOSED#<shard>`, `dueAt` = closedAt). Items leave it
 * when they close or are dispatched (both attributes removed).
 */
export const BATCHES_BY_DUE_INDEX = 'byDue';

/**
 * The batches table: one header per (automation, bucket, prefix) holding its
 * open batch, dedupe fingerprint items per (prefix, event-time window), and
 * per batch a closed record plus member items. See
 * docs/data-model/automations-batches.md for every item and access pattern.
 *
 * @example
 * ```ts
 * await ensureTable(client, batchesTable, 'bucketflow-batches');
 * ```
 */
export const batchesTable: TableDefinition = {
  id: 'batches',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
  globalIndexes: [
    {
      indexName: BATCHES_BY_DUE_INDEX,
      partitionKey: { name: 'duePk', type: 'S' },
      sortKey: { name: 'dueAt', type: 'N' },
      // Headers and closed records are under 1 KB; projecting all of them
      // lets the sweep close or dispatch without reading the table again.
      projection: 'ALL',
    },
  ],
};
