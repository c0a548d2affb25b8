import { BatchAccumulator } from '../lambdas/core/batching/batch-accumulator.js';
import { type BatchEvent, groupEventsByPrefix } from '../lambdas/core/batching/batch-events.js';
import { batchPrefix } from '../lambdas/core/batching/batch-prefix.js';
import { type BatchPolicy, createBatchPolicy } from '../lambdas/core/batching/batch-thresholds.js';
import { type BenchSection, fmt, measureThroughput } from './harness.js';

const EVENTS = 100_000;
const ORIGIN = Date.UTC(2024, 4, 1);

/**
 * `EVENTS` created events spread round-robin over `prefixes` prefixes, 10 ms
 * apart, each with a sequencer as S3 sends them, so that the dedupe set works
 * as in production. With EDP's defaults every batch closes by count.
 */
function workload(prefixes: number): BatchEvent[] {
  return Array.from({ length: EVENTS }, (_, i) => ({
    bucket: 'instrument-bucket',
    key: `instrument-${i % prefixes}/experiment-7/run/${i}.tif`,
    type: 'created' as const,
    time: ORIGIN + i * 10,
    sequencer: (0x1000000 + i).toString(16).toUpperCase(),
  }));
}

/** What any batching must do at least: place each event in its prefix and count it. */
function baseline(events: readonly BatchEvent[], policy: BatchPolicy): number {
  const counts = new Map<string, number>();
  for (const event of events) {
    const prefix = batchPrefix(event.key, policy.prefixDepth);
    counts.set(prefix, (counts.get(prefix) ?? 0) + 1);
  }
  return counts.size;
}

function accumulate(events: readonly BatchEvent[], policy: BatchPolicy): number {
  const accumulator = new BatchAccumulator(policy);
  let closed = 0;
  for (const event of events) closed += accumulator.add(event).closed.length;
  return closed + accumulator.flush().length;
}

function group(events: readonly BatchEvent[], policy: BatchPolicy): number {
  return groupEventsByPrefix(events, policy).groups.length;
}

/**
 * Accumulator throughput (events/s) over 100k events on 20 and 2,000
 * prefixes, as a ratio to a plain prefix-and-count loop measured in the same
 * run; the ingest's grouping step is measured alongside.
 */
export async function run(): Promise<BenchSection[]> {
  const policy = createBatchPolicy();
  const rows: Array<Record<string, string | number>> = [];
  for (const prefixes of [20, 2_000]) {
    const events = workload(prefixes);
    const options = { minMs: 1_000, warmupMs: 300 };
    const base = measureThroughput(() => baseline(events, policy), EVENTS, options);
    const measured = [
      ['baseline: prefix + Map count', base],
      [
        'BatchAccumulator add + flush',
        measureThroughput(() => accumulate(events, policy), EVENTS, options),
      ],
      [
        'groupEventsByPrefix (ingest)',
        measureThroughput(() => group(events, policy), EVENTS, options),
      ],
    ] as const;
    for (const [name, throughput] of measured) {
      rows.push({
        prefixes: fmt(prefixes),
        path: name,
        'events/s': fmt(throughput.opsPerSecond),
        'x baseline': fmt(throughput.opsPerSecond / base.opsPerSecond, 3),
      });
    }
  }
  return [
    { title: `Prefix batching: ${fmt(EVENTS)} events, EDP defaults (depth 2, count 20)`, rows },
  ];
}
