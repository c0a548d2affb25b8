import type { TableDefinition } from '../table-definition.js';

/**
 * Sparse GSI over the batches table, the sweep's two queues: headers with an
 * open batch (`sweepPk` = `OPEN#<shard>`, `sweepAt` = when to look at it, at
 * or before its deadline) and closed batches not yet dispatched
 * (`sweepPk` = `CLOSED#<shard>`, `sweepAt` = when the sweep may dispatch
 * it, in processing time). Keys only: an append to a header changes
 * neither attribute, so it writes no index entry.
 */
export const BATCHES_BY_SWEEP_INDEX = 'bySweep';

/**
 * The batches table: one header per (automation, bucket, prefix) holding its
 * open batch with its unwritten keys and recent fingerprints, dedupe records
 * per (prefix, event-time window), and per batch a closed record plus member
 * records. See docs/data-model/automations-batches.md for every item and
 * access pattern.
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
      indexName: BATCHES_BY_SWEEP_INDEX,
      partitionKey: { name: 'sweepPk', type: 'S' },
      sortKey: { name: 'sweepAt', type: 'N' },
      projection: 'KEYS_ONLY',
    },
  ],
};
