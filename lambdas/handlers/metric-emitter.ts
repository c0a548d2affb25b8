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
 * dimensions is stored and flushed by {@link publish}. One with dimensions
 * needs an EMF record of its own (Powertools' single metric), since an EMF
 * record's dimension sets apply to every metric in it: counts are summed per
 * metric and dimension values until {@link publish} (one record per
 * automation and invocation, not one per job), other units go out at once.
 *
 * @example
 * ```ts
 * const emitter = new MetricEmitter();
 * emitter.emit(METRIC_CATALOG.jobsSubmitted, 1, { automation: 'thumbnails' });
 * emitter.publish();
 * ```
 */
export class MetricEmitter {
  /** Dimensioned counts summed since the last publish, by metric and dimension values. */
  readonly #counts = new Map<
    string,
    { definition: MetricDefinition; dimensions: Readonly<Record<string, string>>; sum: number }
  >();

  /** Powertools Metrics: the catalogue's namespace and service unless given. */
  constructor(
    readonly metrics: Metrics = new Metrics({
      namespace: METRIC_NAMESPACE,
      serviceName: METRIC_SERVICE,
      logger: withoutOverlapWarnings(console),
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
    if (definition.unit !== 'Count') {
      this.#single(definition, values, value);
      return;
    }
    const key = JSON.stringify([
      definition.name,
      definition.dimensionSets.flat().map((n) => values[n]),
    ]);
    const pending = this.#counts.get(key);
    if (pending) pending.sum += value;
    else this.#counts.set(key, { definition, dimensions: values, sum: value });
    // Bounded: a long-lived process that seldom publishes never holds more than this.
    if (this.#counts.size > MAX_PENDING_COUNTS) this.#flushCounts();
  }

  /** Flushes the stored metrics and the summed counts (no record, and no Powertools warning, when there are none). */
  publish(): void {
    this.#flushCounts();
    if (this.metrics.hasStoredMetrics()) this.metrics.publishStoredMetrics();
  }

  #flushCounts(): void {
    for (const { definition, dimensions, sum } of this.#counts.values()) {
      this.#single(definition, dimensions, sum);
    }
    this.#counts.clear();
  }

  #single(
    definition: MetricDefinition,
    values: Readonly<Record<string, string>>,
    value: number,
  ): void {
    const single = this.metrics.singleMetric();
    for (const set of definition.dimensionSets) {
      single.addDimensions(Object.fromEntries(set.map((name) => [name, values[name] ?? ''])));
    }
    single.addMetric(definition.name, definition.unit, value);
  }
}

/** Distinct (metric, dimension values) counts held before they are flushed anyway. */
const MAX_PENDING_COUNTS = 100;

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

/**
 * Powertools warns on every record whose dimension sets share a key (as
 * `[automation]` and `[automation, closeReason]` do). The values come from
 * one data point, so they are equal and the warning says nothing: it is
 * dropped, every other message passes.
 */
function withoutOverlapWarnings(logger: Console): Console {
  const overlap = /^EMF key ".*" is defined as both a dimension set and dimension set;/;
  return new Proxy(logger, {
    get(target, property, receiver) {
      if (property !== 'warn') return Reflect.get(target, property, receiver);
      return (message: unknown, ...rest: unknown[]) => {
        if (typeof message === 'string' && overlap.test(message)) return;
        target.warn(message, ...rest);
      };
    },
  });
}
