import { Metrics } from '@aws-lambda-powertools/metrics';
import {
  CATALOGUED_METRICS,
  METRIC_NAMESPACE,
  METRIC_SERVICE,
  type MetricDefinition,
  type MetricDimensionValues,
} from '../core/metrics/metric-catalog.js';

/** A metric that is not in the catalogue, or a data point without the values its dimension sets need. */
export class UncataloguedMetricError extends Error {
  override readonly name = 'UncataloguedMetricError';
}

/**
 * The only way the functions emit metrics: each data point names a
 * definition of the metric catalogue, so the dashboard and alarms built
 * from the same catalogue query exactly what is sent. A metric without
 * dimensions is stored and flushed by {@link publish}; one with dimensions
 * goes out at once as its own EMF record (Powertools' single metric), since
 * an EMF record's dimension sets apply to every metric in it.
 *
 * @example
 * ```ts
 * const emitter = new MetricEmitter();
 * emitter.emit(METRIC_CATALOG.jobsSubmitted, 1, { automation: 'thumbnails' });
 * emitter.publish();
 * ```
 */
export class MetricEmitter {
  /** Powertools Metrics: the catalogue's namespace and service unless given. */
  constructor(
    readonly metrics: Metrics = new Metrics({
      namespace: METRIC_NAMESPACE,
      serviceName: METRIC_SERVICE,
    }),
  ) {}

  /**
   * Records one data point of `definition` under each of its dimension sets.
   *
   * @throws UncataloguedMetricError for a definition that is not in the catalogue, or
   * dimension values that are missing, empty or not dimensions of the metric.
   */
  emit<M extends MetricDefinition>(
    definition: M,
    value: number,
    dimensions: MetricDimensionValues<M>,
  ): void {
    checkDataPoint(definition, dimensions as Readonly<Record<string, string>>);
    const values = dimensions as Readonly<Record<string, string>>;
    if (definition.dimensionSets.every((set) => set.length === 0)) {
      this.metrics.addMetric(definition.name, definition.unit, value);
      return;
    }
    const single = this.metrics.singleMetric();
    for (const set of definition.dimensionSets) {
      single.addDimensions(Object.fromEntries(set.map((name) => [name, values[name] ?? ''])));
    }
    single.addMetric(definition.name, definition.unit, value);
  }

  /** Flushes the stored metrics (no record, and no Powertools warning, when none are stored). */
  publish(): void {
    if (this.metrics.hasStoredMetrics()) this.metrics.publishStoredMetrics();
  }
}

function checkDataPoint(
  definition: MetricDefinition,
  dimensions: Readonly<Record<string, string>>,
): void {
  if (!CATALOGUED_METRICS.includes(definition)) {
    throw new UncataloguedMetricError(
      `metric ${definition.name} is not in the metric catalogue: add it to METRIC_CATALOG (lambdas/core/metrics/metric-catalog.ts) and emit that definition`,
    );
  }
  const expected = new Set(definition.dimensionSets.flat());
  const given = Object.keys(dimensions);
  const unknown = given.filter((name) => !expected.has(name as never));
  const missing = [...expected].filter((name) => !dimensions[name]);
  if (unknown.length > 0 || missing.length > 0) {
    throw new UncataloguedMetricError(
      `metric ${definition.name} takes the dimensions [${[...expected].join(', ')}] with non-empty values; got [${given.join(', ')}]${missing.length > 0 ? `, missing or empty: ${missing.join(', ')}` : ''}`,
    );
  }
}
