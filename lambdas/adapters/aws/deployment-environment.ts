// The environment contract between the CDK constructs (lib/), which set it
// on every function, and the code that reads it at run time: the handlers'
// config and the SDK's connection from the environment. One home for the
// names, free of CDK imports, so that nothing under lambdas/ imports lib/.

/** Environment variable names every bucketflow function receives. */
export const ENV = {
  /** Name of the ingest queue's URL (S3 events in EventBridge shape). */
  ingestQueueUrl: 'BUCKETFLOW_INGEST_QUEUE_URL',
  /** Name of the custom bus that receives `objects-batch-ready`. */
  eventBusName: 'BUCKETFLOW_EVENT_BUS_NAME',
  /** Bucket holding job caches. */
  cacheBucket: 'BUCKETFLOW_CACHE_BUCKET',
  /** Comma-separated names of the source buckets wired with `addSourceBucket`. */
  sourceBuckets: 'BUCKETFLOW_SOURCE_BUCKETS',
  /** Prefix of the on-demand task queues: `<prefix><cluster>` and `<prefix><cluster>-dlq`. */
  taskQueuePrefix: 'BUCKETFLOW_TASK_QUEUE_PREFIX',
  /** maxReceiveCount the app puts in the redrive policy of the task queues it creates. */
  taskQueueMaxReceiveCount: 'BUCKETFLOW_TASK_QUEUE_MAX_RECEIVE_COUNT',
  /** Cluster slug of a Lambda task runner (TaskRunnerFunction only). */
  runnerCluster: 'BUCKETFLOW_RUNNER_CLUSTER',
  /** CloudWatch namespace of the handlers' embedded metrics (Powertools). */
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  /** Powertools' service name: the `service` dimension of every metric and log line. */
  serviceName: 'POWERTOOLS_SERVICE_NAME',
} as const;

/**
 * The environment variable holding the physical name of the table with
 * logical id `tableId` (the `id` of its TableDefinition): `jobs` becomes
 * `BUCKETFLOW_JOBS_TABLE`, `taskLeases` becomes `BUCKETFLOW_TASK_LEASES_TABLE`.
 *
 * @example
 * ```ts
 * const tableName = process.env[tableEnvironmentName(jobsTable.id)];
 * ```
 */
export function tableEnvironmentName(tableId: string): string {
  const words = tableId
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word.length > 0);
  return `BUCKETFLOW_${words.join('_').toUpperCase()}_TABLE`;
}
