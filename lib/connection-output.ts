import { CfnOutput, Lazy, Stack } from 'aws-cdk-lib';
import {
  CONNECTION_OUTPUT_DESCRIPTION,
  type StackConnection,
} from '../lambdas/sdk/stack-outputs.js';
import type { BucketflowEngine } from './bucketflow-engine.js';

/**
 * Everything `bucketflow --stack` needs, as one JSON output of the engine's
 * stack: table names, task queue prefix, buckets, bus, and (resolved at
 * synth, so later wiring counts) the source buckets and Lambda clusters.
 *
 * @example
 * ```ts
 * connectionOutput(engine);
 * ```
 */
export function connectionOutput(engine: BucketflowEngine): CfnOutput {
  const { state } = engine;
  const connection: StackConnection = {
    tables: {
      jobs: state.table('jobs').tableName,
      automations: state.table('automations').tableName,
      batches: state.table('batches').tableName,
    },
    taskQueuePrefix: engine.taskQueuePrefix,
    cacheBucket: state.cacheBucket.bucketName,
    eventBusName: state.eventBus.eventBusName,
    ingestQueueUrl: state.ingestQueue.queueUrl,
    sourceBuckets: Lazy.list({ produce: () => engine.sourceBucketNames }),
    lambdaClusters: Lazy.list({ produce: () => engine.lambdaClusters }),
    taskLogGroups: Lazy.list({ produce: () => engine.taskLogGroupNames }),
  };
  return new CfnOutput(engine, 'Connection', {
    value: Stack.of(engine).toJsonString(connection),
    description: CONNECTION_OUTPUT_DESCRIPTION,
  });
}
