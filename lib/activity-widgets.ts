import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { CLOSE_REASONS } from '../lambdas/core/batching/batch-state.js';
import { METRIC_CATALOG, type MetricDefinition } from '../lambdas/core/metrics/metric-catalog.js';
import { REQUEUE_REASONS } from '../lambdas/core/services/service-dependencies.js';
import { catalogMetric, catalogSum } from './catalog-metric.js';

const FIVE_MINUTES = Duration.minutes(5);
const WIDE = 12;
const NARROW = 8;

/**
 * The dashboard rows of what the functions did (their catalogue metrics, rolled up over
 * automations): events and jobs, ingest lag, batches closed and their age by close
 * reason, and the reconciler's re-queues by reason.
 */
export function activityRows(): cloudwatch.IWidget[][] {
  return [
    [
      new cloudwatch.GraphWidget({
        title: 'objects-batch-ready events emitted',
        left: [catalogSum(METRIC_CATALOG.batchReadyEvents)],
        width: NARROW,
      }),
      new cloudwatch.GraphWidget({
        title: 'Jobs submitted',
        left: [catalogSum(METRIC_CATALOG.jobsSubmitted)],
        width: NARROW,
      }),
      new cloudwatch.GraphWidget({
        title: 'Ingest lag: oldest event of a batch (ms)',
        left: [
          catalogMetric(
            METRIC_CATALOG.ingestLag,
            {},
            { statistic: 'Maximum', period: FIVE_MINUTES },
          ),
        ],
        width: NARROW,
      }),
    ],
    [
      new cloudwatch.GraphWidget({
        title: 'Batches closed, by reason',
        left: CLOSE_REASONS.map((closeReason) =>
          catalogSum(METRIC_CATALOG.batchesClosed, { closeReason }, closeReason),
        ),
        width: NARROW,
      }),
      new cloudwatch.GraphWidget({
        title: 'Batch age at close p95 (ms), by reason',
        left: CLOSE_REASONS.map((closeReason) =>
          catalogMetric(
            METRIC_CATALOG.batchAgeAtClose,
            { closeReason },
            { statistic: 'p95', period: FIVE_MINUTES, label: closeReason },
          ),
        ),
        width: NARROW,
      }),
      new cloudwatch.GraphWidget({
        title: 'Tasks re-queued by the reconciler, by reason',
        left: REQUEUE_REASONS.map((reason) =>
          catalogSum(METRIC_CATALOG.tasksRequeued, { reason }, reason),
        ),
        width: NARROW,
      }),
    ],
  ];
}

/** A Lambda runner cluster's task metrics: attempt duration, retried and failed attempts. */
export function clusterTaskWidgets(cluster: string): cloudwatch.IWidget[] {
  const task = (definition: MetricDefinition, statistic: string, label: string) =>
    catalogMetric(definition, { cluster }, { statistic, period: FIVE_MINUTES, label });
  return [
    new cloudwatch.GraphWidget({
      title: `Cluster ${cluster}: task attempt duration (ms)`,
      left: [
        task(METRIC_CATALOG.taskDuration, 'p50', 'p50'),
        task(METRIC_CATALOG.taskDuration, 'p95', 'p95'),
      ],
      width: WIDE,
    }),
    new cloudwatch.GraphWidget({
      title: `Cluster ${cluster}: failed attempts`,
      left: [
        task(METRIC_CATALOG.taskRetries, 'Sum', 'retried'),
        task(METRIC_CATALOG.taskFailures, 'Sum', 'failed for good'),
      ],
      width: WIDE,
    }),
  ];
}
