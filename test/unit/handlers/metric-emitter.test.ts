import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CATALOGUED_METRICS,
  emittedDimensionNames,
  METRIC_CATALOG,
  METRIC_NAMESPACE,
  METRIC_SERVICE,
  type MetricDefinition,
} from '../../../lambdas/core/metrics/metric-catalog.js';
import {
  MetricEmitter,
  UncataloguedMetricError,
} from '../../../lambdas/handlers/metric-emitter.js';
import { PACKAGE_ROOT } from '../../../lib/bundling.js';

interface EmfRecord {
  readonly _aws: {
    readonly CloudWatchMetrics: readonly {
      readonly Namespace: string;
      readonly Dimensions: readonly string[][];
      readonly Metrics: readonly { Name: string; Unit: string }[];
    }[];
  };
  readonly [key: string]: unknown;
}

describe('MetricEmitter', () => {
  let records: EmfRecord[];

  beforeEach(() => {
    // Prepare: Powertools writes EMF to the global console in dev mode; the test config disables it.
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    vi.stubEnv('POWERTOOLS_DEV', 'true');
    records = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
      records.push(JSON.parse(String(line)) as EmfRecord);
    });
  });

  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('sums a dimensioned count per dimension values until publish: one record per automation, not per job', () => {
    // Prepare
    const emitter = new MetricEmitter();

    // Act
    for (let job = 0; job < 50; job++) {
      emitter.emit(METRIC_CATALOG.jobsSubmitted, 1, { automation: job % 2 ? 'odd' : 'even' });
    }
    const beforePublish = records.length;
    emitter.publish();
    emitter.publish();

    // Assess
    expect(beforePublish).toBe(0);
    const sums = Object.fromEntries(
      records.map((record) => [record.automation, record[METRIC_CATALOG.jobsSubmitted.name]]),
    );
    expect(records).toHaveLength(2);
    expect(sums).toEqual({ even: 25, odd: 25 });
  });

  it('sends dimension sets that share a key without a warning per record', () => {
    // Prepare
    const warnings: unknown[] = [];
    vi.spyOn(console, 'warn').mockImplementation((message: unknown) => warnings.push(message));
    const emitter = new MetricEmitter();

    // Act
    emitter.emit(METRIC_CATALOG.batchesClosed, 1, { automation: 'runs', closeReason: 'quiet' });
    emitter.publish();

    // Assess
    expect(records).toHaveLength(1);
    expect(warnings).toEqual([]);
  });

  it('stores every catalogued metric under the namespace, service and dimension sets the catalogue names', () => {
    // Prepare
    const values = {
      automation: 'thumbnails',
      closeReason: 'quiet',
      cluster: 'gpu',
      reason: 'unsent',
    };
    const emitter = new MetricEmitter();

    // Act
    for (const definition of CATALOGUED_METRICS) {
      const own = definition.dimensionSets.flat().map((name) => [name, values[name]]);
      emitter.emit(definition, 7, Object.fromEntries(own) as never);
    }
    emitter.publish();

    // Assess: one record per dimensioned metric, one for the rest.
    const seen = new Map<string, { record: EmfRecord; dimensions: readonly string[][] }>();
    for (const record of records) {
      const [directive] = record._aws.CloudWatchMetrics;
      expect(directive?.Namespace).toBe(METRIC_NAMESPACE);
      expect(record.service).toBe(METRIC_SERVICE);
      for (const metric of directive?.Metrics ?? []) {
        seen.set(metric.Name, { record, dimensions: directive?.Dimensions ?? [] });
      }
    }
    for (const definition of CATALOGUED_METRICS) {
      const emitted = seen.get(definition.name);
      expect(emitted?.dimensions, definition.name).toEqual(emittedDimensionNames(definition));
      expect(emitted?.record[definition.name], definition.name).toBe(7);
      for (const name of definition.dimensionSets.flat()) {
        expect(emitted?.record[name], `${definition.name} ${name}`).toBe(values[name]);
      }
    }
  });

  it('refuses a metric that is not in the catalogue', () => {
    // Prepare
    const emitter = new MetricEmitter(new Metrics({ namespace: METRIC_NAMESPACE }));
    const copy: MetricDefinition = { ...METRIC_CATALOG.eventsIngested, name: 'EventsIngestd' };

    // Act / Assess
    expect(() => emitter.emit(copy, 1, {} as never)).toThrow(
      /EventsIngestd is not in the metric catalogue/,
    );
    expect(records).toEqual([]);
  });

  it('refuses a data point with a missing, empty or unknown dimension', () => {
    // Prepare
    const emitter = new MetricEmitter();
    const jobs = METRIC_CATALOG.jobsSubmitted;

    // Act / Assess
    expect(() => emitter.emit(jobs, 1, {} as never)).toThrow(UncataloguedMetricError);
    expect(() => emitter.emit(jobs, 1, { automation: '' })).toThrow(/missing or empty: automation/);
    expect(() => emitter.emit(jobs, 1, { automation: 'a', cluster: 'b' } as never)).toThrow(
      /takes the dimensions \[automation\]/,
    );
    expect(records).toEqual([]);
  });
});

describe('Metric emission in lambdas/', () => {
  it('goes through MetricEmitter only, so every emitted name is a catalogue name', () => {
    // Prepare
    const root = join(PACKAGE_ROOT, 'lambdas');
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((file) =>
      file.endsWith('.ts'),
    );

    // Act: Powertools calls that would emit a name the catalogue does not check.
    const direct = files
      .filter((file) => file !== join('handlers', 'metric-emitter.ts'))
      .filter((file) =>
        /\.addMetric\(|\.singleMetric\(|new Metrics\(/.test(readFileSync(join(root, file), 'utf8')),
      )
      .map((file) => relative(PACKAGE_ROOT, join(root, file)));

    // Assess
    expect(files.length).toBeGreaterThan(50);
    expect(direct).toEqual([]);
  });
});
