import type { TableDefinition } from '../table-definition.js';

/**
 * The automations table. Four small partitions, each read with one Query:
 * `AUTOMATIONS` (automation items `A#<id>` and cron cursors `C#<id>`),
 * `CLUSTERS` and `LOCATIONS`. Definitions change rarely and are read once
 * per Lambda container per minute, so one partition per kind is enough for
 * thousands of automations. See docs/data-model/automations-batches.md.
 *
 * @example
 * ```ts
 * await ensureTable(client, automationsTable, 'bucketflow-automations');
 * ```
 */
export const automationsTable: TableDefinition = {
  id: 'automations',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
};
