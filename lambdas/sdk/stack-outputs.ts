import { z } from 'zod';

/**
 * Description of the stack output that holds a deployment's connection; the
 * CLI finds the output by it (its logical id carries a hash of the construct path).
 */
export const CONNECTION_OUTPUT_DESCRIPTION =
  'bucketflow connection: tables, queues and buckets, read by `bucketflow --stack <this stack>`';

/** What the `Connection` output of a stack with a BucketflowEngine holds, as JSON. */
export interface StackConnection {
  readonly tables: {
    readonly jobs: string;
    readonly automations: string;
    readonly batches: string;
  };
  readonly taskQueuePrefix: string;
  readonly cacheBucket: string;
  readonly eventBusName: string;
  readonly ingestQueueUrl: string;
  /** Buckets wired with `addSourceBucket` (and the config's S3 locations). */
  readonly sourceBuckets: readonly string[];
  /** Cluster slugs with a TaskRunnerFunction. */
  readonly lambdaClusters: readonly string[];
  /** Log groups of the TaskRunnerFunctions, read by `bucketflow jobs logs`; absent in older stacks. */
  readonly taskLogGroups?: readonly string[] | undefined;
}

const name = z.string().min(1);
/** Validates the parsed output, so a foreign or older output is a clear error. */
export const stackConnectionSchema = z.object({
  tables: z.object({ jobs: name, automations: name, batches: name }),
  taskQueuePrefix: name,
  cacheBucket: name,
  eventBusName: name,
  ingestQueueUrl: name,
  sourceBuckets: z.array(name),
  lambdaClusters: z.array(name),
  taskLogGroups: z.array(name).optional(),
});
