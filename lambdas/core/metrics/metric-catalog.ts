// The one home of the custom metrics the functions emit. The handlers emit only through
// these definitions (lambdas/handlers/metric-emitter.ts checks it at run time), and the CDK
// dashboard and alarms build their metrics from them (lib/catalog-metric.ts), so a graph can
// only show what a function sends. Pure data: the bundled handlers and the CDK app both import it.

/** CloudWatch namespace of every custom metric (POWERTOOLS_METRICS_NAMESPACE in production). */
export const METRIC_NAMESPACE = 'Bucketflow';

/** Powertools' service name (POWERTOOLS_SERVICE_NAME in production): the value of the `service` dimension. */
export const METRIC_SERVICE = 'bucketflow';

/** The dimension Powertools Metrics puts on every data point, valued {@link METRIC_SERVICE}. */
export const SERVICE_DIMENSION = 'service';

/**
 * The dimensions a metric may carry besides `service`. Each has a bounded set of values:
 * `closeReason` and `reason` are enums, `automation` and `cluster` are named by the user
 * (one value per automation or cluster that exists, so dozens, not one per object or job).
 * Object keys, job ids and batch ids never become dimensions: they go in the logs.
 */
export const METRIC_DIMENSIONS = {
  automation: 'automation',
  closeReason: 'closeReason',
  cluster: 'cluster',
  reason: 'reason',
} as const;

export type MetricDimension = (typeof METRIC_DIMENSIONS)[keyof typeof METRIC_DIMENSIONS];

/** The CloudWatch units the catalogue uses (Powertools' MetricUnit values). */
export type MetricUnitName = 'Count' | 'Milliseconds';

/** One custom metric: what CloudWatch stores it under, and who sends it. */
export interface MetricDefinition<D extends MetricDimension = MetricDimension> {
  readonly name: string;
  readonly unit: MetricUnitName;
  /**
   * The dimension sets each data point is stored under, `service` not listed (every set has
   * it). `[]` is the rollup over all values, so a graph needs no list of automations.
   */
  readonly dimensionSets: readonly (readonly D[])[];
  /** The functions that emit it (docs and the dashboard's descriptions). */
  readonly emittedBy: string;
  readonly description: string;
}

/** The dimension values a data point of `definition` needs: one per dimension of its sets. */
export type MetricDimensionValues<M> =
  M extends MetricDefinition<infer D> ? Readonly<Record<D, string>> : never;

function define<D extends MetricDimension = never>(
  definition: MetricDefinition<D>,
): MetricDefinition<D> {
  return definition;
}

const { automation, closeReason, cluster, reason } = METRIC_DIMENSIONS;

/** Every custom metric a bucketflow function emits. */
export const METRIC_CATALOG = {
  eventsIngested: define({
    name: 'EventsIngested',
    unit: 'Count',
    dimensionSets: [[]],
    emittedBy: 's3-ingest',
    description: 'S3 events received from the ingest queue (malformed ones included)',
  }),
  duplicatesDropped: define({
    name: 'DuplicatesDropped',
    unit: 'Count',
    dimensionSets: [[]],
    emittedBy: 's3-ingest',
    description: 'deliveries dropped as already seen (ledger, batch or job duplicates)',
  }),
  ingestLag: define({
    name: 'IngestLag',
    unit: 'Milliseconds',
    dimensionSets: [[]],
    emittedBy: 's3-ingest',
    description: 'age of the oldest S3 event of an ingest batch when the function processes it',
  }),
  batchReadyEvents: define({
    name: 'ObjectsBatchReadyEvents',
    unit: 'Count',
    dimensionSets: [[]],
    emittedBy: 's3-ingest, batch-sweep',
    description: '`objects-batch-ready` events put on the bus',
  }),
  jobsSubmitted: define({
    name: 'JobsSubmitted',
    unit: 'Count',
    dimensionSets: [[], [automation]],
    emittedBy: 's3-ingest, batch-sweep, cron-tick',
    description: 'jobs created by a trigger (an already submitted job is not counted again)',
  }),
  batchesClosed: define({
    name: 'BatchesClosed',
    unit: 'Count',
    dimensionSets: [[], [closeReason], [automation, closeReason]],
    emittedBy: 's3-ingest (count, marker), batch-sweep (quiet, max-age)',
    description: 'batches closed, by close reason',
  }),
  batchAgeAtClose: define({
    name: 'BatchAgeAtClose',
    unit: 'Milliseconds',
    dimensionSets: [[], [closeReason], [automation, closeReason]],
    emittedBy: 's3-ingest, batch-sweep',
    description: "time from a batch's first event to its close",
  }),
  batchDispatchFailures: define({
    name: 'BatchDispatchFailures',
    unit: 'Count',
    dimensionSets: [[], [automation]],
    emittedBy: 's3-ingest, batch-sweep',
    description: 'failed dispatch attempts of closed batches (each is retried with backoff)',
  }),
  stuckBatches: define({
    name: 'StuckBatches',
    unit: 'Count',
    dimensionSets: [[]],
    emittedBy: 'batch-sweep',
    description: 'closed batches whose dispatch failed again and again (a gauge, per sweep)',
  }),
  tasksRequeued: define({
    name: 'TasksRequeued',
    unit: 'Count',
    dimensionSets: [[], [reason]],
    emittedBy: 'task-reconcile',
    description: 'tasks sent again by the reconciler: lease expired, never sent, or released',
  }),
  taskDuration: define({
    name: 'TaskDuration',
    unit: 'Milliseconds',
    dimensionSets: [[cluster]],
    emittedBy: 'Lambda task runners',
    description: 'duration of each claimed task attempt, from claim to its end',
  }),
  taskFailures: define({
    name: 'TaskFailures',
    unit: 'Count',
    dimensionSets: [[cluster]],
    emittedBy: 'Lambda task runners',
    description: 'attempts that failed with no retry left: the task is FAILED',
  }),
  taskRetries: define({
    name: 'TaskRetries',
    unit: 'Count',
    dimensionSets: [[cluster]],
    emittedBy: 'Lambda task runners',
    description: 'attempts that failed and were queued again for a retry',
  }),
} as const;

/** Every definition of the catalogue, in a list. */
export const CATALOGUED_METRICS: readonly MetricDefinition[] = Object.values(METRIC_CATALOG);

/** The dimension names (`service` first) each data point of `definition` is stored under, one list per set. */
export function emittedDimensionNames(definition: MetricDefinition): string[][] {
  return definition.dimensionSets.map((set) => [SERVICE_DIMENSION, ...set]);
}
