import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_REASONS } from '../../lambdas/core/batching/batch-state.js';
import {
  CATALOGUED_METRICS,
  emittedDimensionNames,
  METRIC_CATALOG,
  METRIC_NAMESPACE,
  METRIC_SERVICE,
  SERVICE_DIMENSION,
} from '../../lambdas/core/metrics/metric-catalog.js';
import { REQUEUE_REASONS } from '../../lambdas/core/services/service-dependencies.js';
import { PACKAGE_ROOT } from '../../lib/bundling.js';
import {
  alarmMetricReferences,
  dashboardMetricReferences,
  type MetricReference,
} from './metric-references.js';
import { exampleConfig, resourcesOf, type SynthesizedApp, synthBucketflowApp } from './support.js';

/** The values each dimension takes when the example config's functions emit. */
function emittedValues(): Record<string, readonly string[]> {
  const lambdaClusters = Object.entries(exampleConfig.clusters ?? {})
    .filter(([, cluster]) => cluster.runner?.kind === 'lambda')
    .map(([name]) => name);
  return {
    [SERVICE_DIMENSION]: [METRIC_SERVICE],
    closeReason: CLOSE_REASONS,
    reason: REQUEUE_REASONS,
    cluster: lambdaClusters,
    automation: (exampleConfig.automations ?? []).map((automation) => automation.name),
  };
}

function sorted(names: readonly string[]): string[] {
  return [...names].sort();
}

/** Why `reference` is not a metric the functions emit, or undefined when it is. */
function mismatch(reference: MetricReference): string | undefined {
  const definition = CATALOGUED_METRICS.find((metric) => metric.name === reference.name);
  if (!definition) return `${reference.name} is not in the metric catalogue`;
  if (reference.namespace !== METRIC_NAMESPACE) {
    return `${reference.name} is queried in namespace ${reference.namespace}, emitted in ${METRIC_NAMESPACE}`;
  }
  const names = sorted(Object.keys(reference.dimensions));
  const sets = emittedDimensionNames(definition).map(sorted);
  if (!sets.some((set) => set.join() === names.join())) {
    return `${reference.name} is queried with dimensions {${names.join(', ')}}, emitted with ${sets.map((set) => `{${set.join(', ')}}`).join(' or ')}`;
  }
  const values = emittedValues();
  for (const [name, value] of Object.entries(reference.dimensions)) {
    if (!values[name]?.includes(value)) {
      return `${reference.name} is queried with ${name}=${value}; the functions emit ${name} as ${values[name]?.join(', ')}`;
    }
  }
  return undefined;
}

describe('Metric catalogue', () => {
  let synthesized: SynthesizedApp;
  let references: MetricReference[];

  beforeAll(() => {
    // Prepare: the app as `cdk synth` builds it from a config with a Lambda runner cluster.
    synthesized = synthBucketflowApp({ config: exampleConfig });
    references = [synthesized.statefulTemplate, synthesized.statelessTemplate].flatMap(
      (template) => [...dashboardMetricReferences(template), ...alarmMetricReferences(template)],
    );
  });

  it('queries on the dashboard and in alarms only metrics the functions emit, as they emit them', () => {
    // Act: every custom metric (AWS's own namespaces are emitted by AWS).
    const custom = references.filter((reference) => !reference.namespace.startsWith('AWS/'));
    const problems = custom
      .map((reference) => [reference.where, mismatch(reference)] as const)
      .filter(([, problem]) => problem !== undefined)
      .map(([where, problem]) => `${where}: ${problem}`);

    // Assess
    expect(problems).toEqual([]);
    const queried = new Set(custom.map((reference) => reference.name));
    for (const metric of [
      METRIC_CATALOG.jobsSubmitted,
      METRIC_CATALOG.batchReadyEvents,
      METRIC_CATALOG.batchesClosed,
      METRIC_CATALOG.stuckBatches,
      METRIC_CATALOG.taskDuration,
      METRIC_CATALOG.taskFailures,
      METRIC_CATALOG.taskRetries,
      METRIC_CATALOG.ingestLag,
    ]) {
      expect(queried, metric.name).toContain(metric.name);
    }
  });

  it('alarms on stuck batches through the metric the sweep emits', () => {
    // Act
    const stuck = references.filter(
      (reference) =>
        reference.where.startsWith('alarm ') && reference.name === METRIC_CATALOG.stuckBatches.name,
    );

    // Assess
    expect(stuck).toEqual([
      expect.objectContaining({
        namespace: METRIC_NAMESPACE,
        dimensions: { [SERVICE_DIMENSION]: METRIC_SERVICE },
      }),
    ]);
  });

  it("gives every bucketflow function the catalogue's namespace and service", () => {
    // Prepare: functions with bucketflow's environment (CDK's own helper functions have none).
    const functions = [synthesized.statefulTemplate, synthesized.statelessTemplate]
      .flatMap((template) => Object.entries(resourcesOf(template, 'AWS::Lambda::Function')))
      .map(([id, resource]) => {
        const environment = resource.Properties?.Environment as
          | { Variables?: Record<string, unknown> }
          | undefined;
        return [id, environment?.Variables ?? {}] as const;
      })
      .filter(([, variables]) =>
        Object.keys(variables).some((name) => name.startsWith('BUCKETFLOW_')),
      );

    // Act
    const settings = functions.map(([id, variables]) => [
      id,
      variables.POWERTOOLS_METRICS_NAMESPACE,
      variables.POWERTOOLS_SERVICE_NAME,
    ]);

    // Assess: the four handlers and the default cluster's runner at least.
    expect(functions.length).toBeGreaterThanOrEqual(5);
    expect(settings).toEqual(functions.map(([id]) => [id, METRIC_NAMESPACE, METRIC_SERVICE]));
  });

  it('documents every catalogue metric with its unit and dimension sets in docs/deploy.md', () => {
    // Prepare
    const docs = readFileSync(join(PACKAGE_ROOT, 'docs', 'deploy.md'), 'utf8');

    // Act: the table rows, by metric name.
    const rows = new Map(
      [...docs.matchAll(/^\| `(\w+)` \| (\w+) \| ([^|]+) \|/gm)].map((row) => [row[1], row]),
    );

    // Assess
    for (const metric of CATALOGUED_METRICS) {
      const row = rows.get(metric.name);
      const sets = metric.dimensionSets.map((set) => `\`{${set.join(', ')}}\``).join(', ');
      expect([row?.[2], row?.[3]?.trim()], metric.name).toEqual([metric.unit, sets]);
    }
    expect(rows.size).toBe(CATALOGUED_METRICS.length);
  });
});
