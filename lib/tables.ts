import type * as iam from 'aws-cdk-lib/aws-iam';
import type { TableDefinition } from '../lambdas/adapters/aws/dynamodb/table-definition.js';
import { automationsTable } from '../lambdas/adapters/aws/dynamodb/tables/automations-table.js';
import { batchesTable } from '../lambdas/adapters/aws/dynamodb/tables/batches-table.js';
import { jobsTable } from '../lambdas/adapters/aws/dynamodb/tables/jobs-table.js';
import type { BucketflowState } from './bucketflow-state.js';
import { grantTableAccess, type TableAccess } from './grants.js';

/** The handlers bucketflow deploys, by the role they play. */
export const FUNCTION_ROLES = ['ingest', 'sweep', 'cron', 'reconcile', 'runner', 'config'] as const;
export type FunctionRole = (typeof FUNCTION_ROLES)[number];

/** Every table of the service, from the definitions the adapters and the local bootstrap use. */
export const BUCKETFLOW_TABLES: readonly TableDefinition[] = [
  jobsTable,
  batchesTable,
  automationsTable,
];

/**
 * Which handler may do what on which table (by TableDefinition id). A table
 * missing here fails synth, so a new table cannot ship without a decision.
 */
export const TABLE_ACCESS: Readonly<Record<string, Partial<Record<FunctionRole, TableAccess>>>> = {
  // Every handler submits or advances jobs: ingest, sweep and cron submit,
  // reconcile re-queues, runners claim and complete.
  jobs: {
    ingest: 'readWrite',
    sweep: 'readWrite',
    cron: 'readWrite',
    reconcile: 'readWrite',
    runner: 'readWrite',
  },
  // Ingest accumulates batches, the sweep closes and dispatches them; runners read the
  // members of batches too large for a task input.
  batches: { ingest: 'readWrite', sweep: 'readWrite', runner: 'read' },
  // Automation definitions are written by users (CLI, SDK) and by the config's
  // deploy-time apply; the cron tick advances its cursors; ingest and sweep
  // match events against the definitions; runners look up clusters and
  // storage locations.
  automations: {
    ingest: 'read',
    sweep: 'read',
    cron: 'readWrite',
    runner: 'read',
    config: 'readWrite',
  },
};

/**
 * Grants `grantee` what TABLE_ACCESS allows `role` on each table of `state`.
 *
 * @example
 * ```ts
 * grantTablesFor(runnerFunction, state, 'runner');
 * ```
 */
export function grantTablesFor(
  grantee: iam.IGrantable,
  state: BucketflowState,
  role: FunctionRole,
): void {
  for (const definition of state.tableDefinitions) {
    const access = TABLE_ACCESS[definition.id]?.[role];
    if (access) grantTableAccess(grantee, state.table(definition.id), definition, access);
  }
}
