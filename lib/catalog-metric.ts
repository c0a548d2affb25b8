import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import {
  METRIC_NAMESPACE,
  METRIC_SERVICE,
  type MetricDefinition,
  SERVICE_DIMENSION,
} from '../lambdas/core/metrics/metric-catalog.js';
import { InvalidConstructPropsError } from './errors.js';

export interface CatalogMetricOptions {
  readonly statistic: string;
  readonly period: Duration;
  readonly label?: string;
}

/**
 * A CloudWatch metric of the catalogue as the functions store it: the
 * catalogue's namespace and name, the `service` dimension valued as in
 * production, and `dimensions`, which must be one of the definition's
 * dimension sets (`{}` for the rollup), so a graph or alarm cannot query a
 * dimension combination no function emits.
 *
 * @throws InvalidConstructPropsError for dimensions that are not one of the metric's sets.
 * @example
 * ```ts
 * catalogMetric(METRIC_CATALOG.taskFailures, { cluster: 'gpu' }, { statistic: 'Sum', period: Duration.minutes(5) });
 * ```
 */
export function catalogMetric(
  definition: MetricDefinition,
  dimensions: Readonly<Record<string, string>>,
  options: CatalogMetricOptions,
): cloudwatch.Metric {
  const names = Object.keys(dimensions).sort();
  const emitted = definition.dimensionSets.some(
    (set) => set.length === names.length && [...set].sort().every((name, i) => name === names[i]),
  );
  if (!emitted) {
    throw new InvalidConstructPropsError(
      'dimensions',
      `${definition.name} is emitted under [${definition.dimensionSets.map((set) => `{${set.join(', ')}}`).join(', ')}], not {${names.join(', ')}}`,
      'query one of the dimension sets of its METRIC_CATALOG entry',
    );
  }
  return new cloudwatch.Metric({
    namespace: METRIC_NAMESPACE,
    metricName: definition.name,
    dimensionsMap: { [SERVICE_DIMENSION]: METRIC_SERVICE, ...dimensions },
    statistic: options.statistic,
    period: options.period,
    ...(options.label ? { label: options.label } : {}),
  });
}

/**
 * The five-minute sum of a catalogue metric, over all values unless `dimensions` narrow it.
 *
 * @example
 * ```ts
 * catalogSum(METRIC_CATALOG.batchesClosed, { closeReason: 'quiet' }, 'quiet');
 * ```
 */
export function catalogSum(
  definition: MetricDefinition,
  dimensions: Readonly<Record<string, string>> = {},
  label?: string,
): cloudwatch.Metric {
  return catalogMetric(definition, dimensions, {
    statistic: 'Sum',
    period: Duration.minutes(5),
    ...(label ? { label } : {}),
  });
}
