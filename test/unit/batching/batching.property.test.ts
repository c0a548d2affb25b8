import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BatchAccumulator } from '../../../lambdas/core/batching/batch-accumulator.js';
import {
  type BatchEvent,
  groupEventsByPrefix,
  sortByEventTime,
} from '../../../lambdas/core/batching/batch-events.js';
import { simulateBatches } from '../../../lambdas/core/batching/batch-simulation.js';
import {
  applyEvents,
  type ClosedBatch,
  closeDue,
  compareClosedBatches,
  type OpenBatch,
} from '../../../lambdas/core/batching/batch-state.js';
import {
  type BatchPolicy,
  createBatchPolicy,
} from '../../../lambdas/core/batching/batch-thresholds.js';
import { SeenDeliveries } from '../../../lambdas/core/batching/seen-deliveries.js';
import { at } from './batching-fixtures.js';

const FOLDERS = ['a', 'b', 'raw', 'scratch'] as const;

interface Scenario {
  readonly policy: BatchPolicy;
  /** Ignore patterns are drawn from `raw/*` and `scratch`, so these flags decide what the oracle ignores. */
  readonly ignoresRaw: boolean;
  readonly ignoresScratch: boolean;
  /** Whether `_SUCCESS` objects are markers, and whether they are members of the batch they close. */
  readonly marker: 'none' | 'member' | 'control';
  readonly events: Array<BatchEvent & { readonly folders: readonly string[] }>;
}

const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    prefixDepth: fc.integer({ min: 0, max: 3 }),
    count: fc.integer({ min: 1, max: 6 }),
    quietSeconds: fc.integer({ min: 1, max: 200 }),
    extraAge: fc.option(fc.integer({ min: 0, max: 300 }), { nil: undefined }),
    ignoresRaw: fc.boolean(),
    ignoresScratch: fc.boolean(),
    marker: fc.constantFrom<Scenario['marker']>('none', 'member', 'control'),
    base: fc.array(
      fc.record({
        bucket: fc.constantFrom('b1', 'b2'),
        folders: fc.array(fc.constantFrom(...FOLDERS), { maxLength: 3 }),
        isMarker: fc.integer({ min: 0, max: 7 }).map((n) => n === 0),
        type: fc.constantFrom<BatchEvent['type']>('created', 'created', 'created', 'deleted'),
        seconds: fc.integer({ min: 0, max: 3000 }),
        hasSequencer: fc.boolean(),
      }),
      { maxLength: 80 },
    ),
    redeliveries: fc.array(
      fc.record({ source: fc.nat(), seconds: fc.integer({ min: 0, max: 3000 }) }),
      { maxLength: 20 },
    ),
  })
  .map((drawn) => {
    const ignore = [
      ...(drawn.ignoresRaw ? ['raw/*'] : []),
      ...(drawn.ignoresScratch ? ['scratch'] : []),
    ];
    const policy = createBatchPolicy({
      prefixDepth: drawn.prefixDepth,
      count: drawn.count,
      quietSeconds: drawn.quietSeconds,
      maxAgeSeconds: drawn.extraAge === undefined ? undefined : drawn.quietSeconds + drawn.extraAge,
      ignore,
      ...(drawn.marker === 'none'
        ? {}
        : { marker: '_SUCCESS', markerIsMember: drawn.marker === 'member' }),
    });
    const base = drawn.base.map((event, index) => ({
      bucket: event.bucket,
      folders: event.folders,
      key: [...event.folders, event.isMarker ? '_SUCCESS' : `f${index}`].join('/'),
      type: event.type,
      time: at(event.seconds),
      sequencer: event.hasSequencer ? `s${index}` : undefined,
    }));
    const copies =
      base.length === 0
        ? []
        : drawn.redeliveries.map(({ source, seconds }) => {
            const original = base[source % base.length];
            if (original === undefined) throw new Error('unreachable: index is in range');
            return { ...original, time: at(seconds) };
          });
    return {
      policy,
      ignoresRaw: drawn.ignoresRaw,
      ignoresScratch: drawn.ignoresScratch,
      marker: drawn.marker,
      events: [...base, ...copies],
    };
  });

/** What should happen to each event, computed without the batching module. */
function oracle({ policy, ignoresRaw, ignoresScratch, marker, events }: Scenario) {
  const ordered = [...events].sort((a, b) => a.time - b.time);
  const seen = new Set<string>();
  const stats = { read: 0, counted: 0, duplicates: 0, deleted: 0, ignored: 0, markers: 0 };
  const counted: Array<{ bucket: string; prefix: string; key: string; time: number }> = [];
  for (const event of ordered) {
    stats.read++;
    const top = event.folders[0];
    if (event.type === 'deleted') stats.deleted++;
    else if ((ignoresRaw && top === 'raw') || (ignoresScratch && top === 'scratch'))
      stats.ignored++;
    else if (
      event.sequencer !== undefined &&
      seen.has(`${event.bucket}|${event.key}|${event.sequencer}`)
    ) {
      stats.duplicates++;
    } else {
      if (event.sequencer !== undefined)
        seen.add(`${event.bucket}|${event.key}|${event.sequencer}`);
      if (marker === 'control' && event.key.endsWith('_SUCCESS')) {
        stats.markers++;
        continue;
      }
      stats.counted++;
      const folders = event.folders.slice(0, policy.prefixDepth);
      const prefix = folders.length === 0 ? '' : `${folders.join('/')}/`;
      counted.push({ bucket: event.bucket, prefix, key: event.key, time: event.time });
    }
  }
  return { stats, counted };
}

function sortedMembers(members: Iterable<string>): string[] {
  return [...members].sort();
}

function byGroup(closed: readonly ClosedBatch[]): Map<string, ClosedBatch[]> {
  const groups = new Map<string, ClosedBatch[]>();
  for (const batch of closed) {
    const id = `${batch.bucket}|${batch.prefix}`;
    groups.set(id, [...(groups.get(id) ?? []), batch]);
  }
  return groups;
}

describe('batching (properties)', () => {
  it('puts every counted event in exactly one closed batch, and duplicates, deleted and ignored ones in none', () => {
    fc.assert(
      fc.property(scenario, (drawn) => {
        // Act
        const { closed, stats } = simulateBatches(drawn.events, drawn.policy);

        // Assess
        const expected = oracle(drawn);
        expect(stats).toEqual(expected.stats);
        expect(
          sortedMembers(
            closed.flatMap((batch) =>
              batch.keys.map((key) => `${batch.bucket}|${batch.prefix}|${key}`),
            ),
          ),
        ).toEqual(sortedMembers(expected.counted.map((e) => `${e.bucket}|${e.prefix}|${e.key}`)));
      }),
      { numRuns: 500 },
    );
  });

  it('never lets a batch exceed count, and closes by count exactly when it reaches count', () => {
    fc.assert(
      fc.property(scenario, (drawn) => {
        // Act
        const { closed } = simulateBatches(drawn.events, drawn.policy);

        // Assess
        for (const batch of closed) {
          expect(batch.keys.length).toBe(batch.count);
          expect(batch.count).toBeGreaterThanOrEqual(1);
          if (batch.reason === 'count') expect(batch.count).toBe(drawn.policy.count);
          else if (batch.reason !== 'marker') expect(batch.count).toBeLessThan(drawn.policy.count);
          else expect(batch.count).toBeLessThanOrEqual(drawn.policy.count);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('closes every batch at or after its last event, at the deadline its reason names', () => {
    fc.assert(
      fc.property(scenario, (drawn) => {
        // Act
        const { closed } = simulateBatches(drawn.events, drawn.policy);

        // Assess
        const { quietSeconds, maxAgeSeconds } = drawn.policy;
        for (const batch of closed) {
          expect(batch.firstEventAt).toBeLessThanOrEqual(batch.lastEventAt);
          expect(batch.closedAt).toBeGreaterThanOrEqual(batch.lastEventAt);
          if (maxAgeSeconds !== undefined) {
            expect(batch.closedAt - batch.firstEventAt).toBeLessThanOrEqual(maxAgeSeconds * 1000);
          }
          if (batch.reason === 'quiet')
            expect(batch.closedAt).toBe(batch.lastEventAt + quietSeconds * 1000);
          if (batch.reason === 'max-age') {
            expect(batch.closedAt).toBe(batch.firstEventAt + (maxAgeSeconds ?? Number.NaN) * 1000);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('closes a batch at its marker: a member marker ends the batch it closes, a control marker is in none', () => {
    fc.assert(
      fc.property(scenario, (drawn) => {
        // Act
        const { closed } = simulateBatches(drawn.events, drawn.policy);

        // Assess
        const isMarker = (key: string) => key.endsWith('_SUCCESS');
        for (const batch of closed) {
          const markers = batch.keys.filter(isMarker);
          if (drawn.marker === 'member') {
            expect(markers.length).toBe(batch.reason === 'marker' ? 1 : 0);
            if (batch.reason === 'marker') expect(isMarker(batch.keys.at(-1) ?? '')).toBe(true);
          } else if (drawn.marker === 'control') {
            expect(markers).toEqual([]);
          } else {
            expect(batch.reason).not.toBe('marker');
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('keeps the batches of one (bucket, prefix) apart in time, with no counted event in a quiet gap', () => {
    fc.assert(
      fc.property(scenario, (drawn) => {
        // Act
        const { closed } = simulateBatches(drawn.events, drawn.policy);

        // Assess
        const counted = oracle(drawn).counted;
        for (const batches of byGroup(closed).values()) {
          const ordered = [...batches].sort((a, b) => a.firstEventAt - b.firstEventAt);
          for (let i = 1; i < ordered.length; i++) {
            expect(ordered[i]?.firstEventAt).toBeGreaterThanOrEqual(ordered[i - 1]?.closedAt ?? 0);
          }
          for (const batch of ordered) {
            const inGap = counted.filter(
              (e) =>
                e.bucket === batch.bucket &&
                e.prefix === batch.prefix &&
                e.time > batch.lastEventAt &&
                e.time < batch.closedAt,
            );
            expect(inGap).toEqual([]);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('gives the same batches when events arrive in chunks grouped by prefix, as the ingest applies them', () => {
    fc.assert(
      fc.property(scenario, fc.array(fc.nat(), { maxLength: 10 }), (drawn, cuts) => {
        // Prepare
        const ordered = sortByEventTime(drawn.events);
        const bounds = [...new Set(cuts.map((cut) => cut % (ordered.length + 1)))].sort(
          (a, b) => a - b,
        );
        const chunks = [0, ...bounds].map((start, i) =>
          ordered.slice(start, [...bounds, ordered.length][i]),
        );
        const seen = new SeenDeliveries();
        const states = new Map<string, OpenBatch>();
        const closed: ClosedBatch[] = [];

        // Act
        for (const chunk of chunks) {
          for (const group of groupEventsByPrefix(chunk, drawn.policy, seen).groups) {
            const id = `${group.bucket}|${group.prefix}`;
            const step = applyEvents(states.get(id), group.events, drawn.policy);
            closed.push(...step.closed);
            if (step.state === undefined) states.delete(id);
            else states.set(id, step.state);
          }
        }
        closed.push(...closeDue(states.values(), Number.POSITIVE_INFINITY, drawn.policy).closed);

        // Assess
        expect(closed.sort(compareClosedBatches)).toEqual(
          simulateBatches(drawn.events, drawn.policy).closed,
        );
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same batches however often closeDue sweeps between events', () => {
    fc.assert(
      fc.property(scenario, fc.array(fc.boolean(), { maxLength: 120 }), (drawn, sweeps) => {
        // Prepare
        const accumulator = new BatchAccumulator(drawn.policy);
        const closed: ClosedBatch[] = [];

        // Act
        sortByEventTime(drawn.events).forEach((event, i) => {
          if (sweeps[i]) closed.push(...accumulator.closeDue(event.time));
          closed.push(...accumulator.add(event).closed);
        });
        closed.push(...accumulator.flush());

        // Assess
        expect(closed.sort(compareClosedBatches)).toEqual(
          simulateBatches(drawn.events, drawn.policy).closed,
        );
      }),
      { numRuns: 300 },
    );
  });
});
