import { Lazy } from 'aws-cdk-lib';
import { ENV, tableEnvironmentName } from '../lambdas/adapters/aws/deployment-environment.js';
import type { BucketflowState } from './bucketflow-state.js';
import { InvalidConstructPropsError } from './errors.js';
import { TABLE_ACCESS } from './tables.js';

/**
 * The environment every bucketflow function receives: one
 * `BUCKETFLOW_<ID>_TABLE` per table, the ingest queue, bus, cache bucket,
 * task queue settings, and the source bucket names, resolved at synth time
 * so that buckets added later are included.
 *
 * @throws InvalidConstructPropsError when a table has no TABLE_ACCESS entry.
 * @example
 * ```ts
 * const environment = functionEnvironment(state, 'bucketflow-tasks-', () => 'bucket-a,bucket-b');
 * ```
 */
export function functionEnvironment(
  state: BucketflowState,
  taskQueuePrefix: string,
  sourceBucketNames: () => string,
): Readonly<Record<string, string>> {
  const tables: Record<string, string> = {};
  for (const definition of state.tableDefinitions) {
    if (!TABLE_ACCESS[definition.id]) {
      throw new InvalidConstructPropsError(
        `table ${definition.id}`,
        'has no entry in TABLE_ACCESS',
        'say in lib/tables.ts which handlers may read or write it',
      );
    }
    tables[tableEnvironmentName(definition.id)] = state.table(definition.id).tableName;
  }
  return {
    ...tables,
    [ENV.ingestQueueUrl]: state.ingestQueue.queueUrl,
    [ENV.eventBusName]: state.eventBus.eventBusName,
    [ENV.cacheBucket]: state.cacheBucket.bucketName,
    [ENV.taskQueuePrefix]: taskQueuePrefix,
    [ENV.taskQueueMaxReceiveCount]: String(state.dlqMaxReceiveCount),
    [ENV.sourceBuckets]: Lazy.string({ produce: sourceBucketNames }),
  };
}
