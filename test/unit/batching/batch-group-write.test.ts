import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BatchAccumulator } from '../../../lambdas/core/batching/batch-accumulator.js';
import type { BatchEvent } from '../../../lambdas/core/batching/batch-events.js';
import {
  bytesOfKeys,
  chunkKeys,
  type FingerprintedEvent,
  type GroupState,
  type GroupWriteLimits,
  planDeadlineClose,
  planGroupWrite,
} from '../../../lambdas/core/batching/batch-group-write.js';
import { batchDeadline, type ClosedBatch } from '../../../lambdas/core/batching/batch-state.js';
import { createBatchPolicy } from '../../../lambdas/core/batching/batch-thresholds.js';
import { at } from './batching-fixtures.js';

const EMPTY: GroupState = { revision: 0, epoch: 0, open: undefined, pending: [] };

function limits(overrides: Partial<GroupWriteLimits> = {}): GroupWriteLimits {
  return {
    inlineBytes: 100,
    memberRecordBytes: 30,
    maxRecords: 96,
    maxKeyBytes: 3_000_000,
    dedupeRecordOf: (fingerprint) => fingerprint.slice(0, 1),
    ...overrides,
  };
}

function event(key: string, seconds: number, fingerprint?: string): FingerprintedEvent {
  return { bucket: 'b', prefix: 'a/', key, time: at(seconds), fingerprint };
}

let ids = 0;
const newId = () => `batch-${++ids}`;

/**
 * A store in memory that applies plans as the DynamoDB store writes them:
 * member records per batch, closed records with their tail, dedupe records.
 */
class PlannedStore {
  state: GroupState = EMPTY;
  readonly records = new Map<string, Map<number, readonly string[]>>();
  readonly closed: Array<{ batchId: string; batch: ClosedBatch; members: string[] }> = [];
  readonly dedupe = new Set<string>();

  write(plan: ReturnType<typeof planGroupWrite>): void {
    for (const fingerprint of [...plan.flush, ...plan.direct]) this.dedupe.add(fingerprint);
    for (const chunk of plan.memberChunks) {
      const records = this.records.get(chunk.batchId) ?? new Map();
      expect(records.has(chunk.index)).toBe(false);
      records.set(chunk.index, chunk.keys);
      this.records.set(chunk.batchId, records);
    }
    for (const planned of plan.closed) {
      const records = this.records.get(planned.batchId) ?? new Map();
      expect([...records.keys()].sort((a, b) => a - b)).toEqual(
        Array.from({ length: planned.memberRecords }, (_, i) => i),
      );
      const members = [
        ...[...records.entries()].sort(([a], [b]) => a - b).flatMap(([, keys]) => keys),
        ...planned.tailKeys,
      ];
      this.closed.push({ batchId: planned.batchId, batch: planned.batch, members });
    }
    this.state = plan.next;
  }
}

describe('planGroupWrite', () => {
  it('appends to the state alone while keys and fingerprints fit it', () => {
    // Act
    const plan = planGroupWrite(
      EMPTY,
      [event('a/1', 0, 'x1'), event('a/2', 1, 'x2')],
      createBatchPolicy({ count: 20 }),
      limits(),
      newId,
    );

    // Assess
    expect(plan).toMatchObject({ consumed: 2, transactional: false, flush: [], direct: [] });
    expect(plan.next).toMatchObject({ revision: 1, epoch: 0, pending: ['x1', 'x2'] });
    expect(plan.next.open).toMatchObject({ count: 2, keys: ['a/1', 'a/2'], memberRecords: 0 });
  });

  it('moves stored fingerprints to dedupe records first, outside the transaction, when the state is full', () => {
    // Prepare
    const stored = planGroupWrite(
      EMPTY,
      [event('a/1', 0, 'x'.repeat(95))],
      createBatchPolicy({ count: 20 }),
      limits(),
      newId,
    ).next;

    // Act
    const plan = planGroupWrite(
      stored,
      [event('a/2', 1, 'y2')],
      createBatchPolicy({ count: 20 }),
      limits(),
      newId,
    );

    // Assess
    expect(plan.flush).toEqual(['x'.repeat(95)]);
    expect(plan).toMatchObject({ transactional: false, direct: [] });
    expect(plan.next).toMatchObject({ epoch: 1, pending: ['y2'] });
  });

  it('moves the open batch keys to a member record when they alone outgrow the state', () => {
    // Act
    const keys = [
      'a/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      'a/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
    ];
    const plan = planGroupWrite(
      EMPTY,
      keys.map((key, i) => event(key, i)),
      createBatchPolicy({ count: 20 }),
      limits({ memberRecordBytes: 1000 }),
      newId,
    );

    // Assess
    expect(plan.transactional).toBe(true);
    expect(plan.memberChunks).toEqual([{ batchId: plan.next.open?.batchId, index: 0, keys }]);
    expect(plan.next.open).toMatchObject({ count: 2, keys: [], memberRecords: 1 });
  });

  it('stops a write before it outgrows a transaction, and plans the rest on its result', () => {
    // Prepare
    const events = Array.from({ length: 10 }, (_, i) => event(`a/${i}`, i, `f${i}`));

    // Act
    const plan = planGroupWrite(
      EMPTY,
      events,
      createBatchPolicy({ count: 1 }),
      limits({ maxRecords: 6 }),
      newId,
    );

    // Assess
    expect(plan.consumed).toBeGreaterThan(0);
    expect(plan.consumed).toBeLessThan(10);
    expect(plan.closed.length + plan.memberChunks.length + 1).toBeLessThanOrEqual(6);
  });

  it('closes the open batch at its deadline for the sweep, keeping the pending fingerprints', () => {
    // Prepare
    const policy = createBatchPolicy({ count: 20, quietSeconds: 60 });
    const stored = planGroupWrite(EMPTY, [event('a/1', 0, 'p1')], policy, limits(), newId).next;
    const open = stored.open;
    if (open === undefined) throw new Error('no open batch');

    // Act
    const plan = planDeadlineClose(stored, batchDeadline(open, policy), limits());

    // Assess
    expect(plan?.closed).toEqual([
      expect.objectContaining({
        batchId: open.batchId,
        tailKeys: ['a/1'],
        batch: expect.objectContaining({ reason: 'quiet', closedAt: at(60) }),
      }),
    ]);
    expect(plan?.next).toMatchObject({ open: undefined, pending: ['p1'], revision: 2 });
  });

  it('gives every write of any shape the batches and members of the in-memory accumulator', () => {
    const scenario = fc.record({
      count: fc.integer({ min: 1, max: 6 }),
      quiet: fc.integer({ min: 5, max: 30 }),
      maxAge: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
      marker: fc.constantFrom('none', 'member', 'control'),
      inlineBytes: fc.integer({ min: 0, max: 120 }),
      memberRecordBytes: fc.integer({ min: 1, max: 60 }),
      maxRecords: fc.integer({ min: 4, max: 12 }),
      events: fc.array(
        fc.record({
          gap: fc.integer({ min: 0, max: 20 }),
          late: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
          name: fc.string({ minLength: 1, maxLength: 12 }),
          isMarker: fc.integer({ min: 0, max: 6 }).map((n) => n === 0),
          fingerprint: fc.boolean(),
        }),
        { minLength: 1, maxLength: 40 },
      ),
      cuts: fc.array(fc.nat(40), { maxLength: 6 }),
    });
    fc.assert(
      fc.property(scenario, (drawn) => {
        // Prepare
        const policy = createBatchPolicy({
          count: drawn.count,
          quietSeconds: drawn.quiet,
          maxAgeSeconds: drawn.maxAge === undefined ? undefined : drawn.quiet + drawn.maxAge,
          ...(drawn.marker === 'none'
            ? {}
            : { marker: '_SUCCESS', markerIsMember: drawn.marker === 'member' }),
        });
        let seconds = 0;
        const raw: BatchEvent[] = drawn.events.map((spec, index) => {
          seconds += spec.gap;
          return {
            bucket: 'b',
            key: spec.isMarker ? `a/${index}/_SUCCESS` : `a/${index}-${spec.name}`,
            type: 'created',
            time: at(spec.late ? Math.max(0, seconds - 25) : seconds),
            sequencer: spec.fingerprint ? `s${index}` : undefined,
          };
        });
        const ordered = [...raw].sort((a, b) => a.time - b.time);
        const placed: FingerprintedEvent[] = ordered.map((e) => ({
          bucket: 'b',
          prefix: 'a/',
          key: e.key,
          time: e.time,
          fingerprint: e.sequencer === undefined ? undefined : `${e.key[2]}${e.sequencer}`,
          ...(policy.markerMatcher?.test(e.key)
            ? { marker: policy.markerIsMember ? ('member' as const) : ('control' as const) }
            : {}),
        }));
        const model = new BatchAccumulator({ ...policy, prefixDepth: 1 });
        const expected = ordered.flatMap((e) => model.add(e).closed);
        const store = new PlannedStore();
        const writeLimits = limits({
          inlineBytes: drawn.inlineBytes,
          memberRecordBytes: drawn.memberRecordBytes,
          maxRecords: drawn.maxRecords,
        });
        const bounds = [
          ...new Set([0, ...drawn.cuts.filter((c) => c < placed.length), placed.length]),
        ];
        bounds.sort((a, b) => a - b);

        // Act
        for (let i = 0; i + 1 < bounds.length; i++) {
          let remaining = placed.slice(bounds[i], bounds[i + 1]);
          while (remaining.length > 0) {
            const plan = planGroupWrite(store.state, remaining, policy, writeLimits, newId);
            expect(plan.consumed).toBeGreaterThan(0);
            store.write(plan);
            remaining = remaining.slice(plan.consumed);
            // Assess (every write): the state stays within its one-write-unit budget.
            const open = store.state.open;
            const inline =
              (open ? bytesOfKeys(open.keys) : 0) + store.state.pending.join('').length;
            expect(inline).toBeLessThanOrEqual(writeLimits.inlineBytes);
          }
        }

        // Assess
        const summary = (batch: ClosedBatch, members: readonly string[]) =>
          `${batch.count} ${batch.reason} ${batch.closedAt} ${batch.firstEventAt} ${members.join('|')}`;
        expect(store.closed.map(({ batch, members }) => summary(batch, members))).toEqual(
          expected.map((batch) => summary(batch, batch.keys)),
        );
        for (const { batch, members } of store.closed) {
          if (drawn.marker !== 'control') expect(members.length).toBe(batch.count);
        }
        const fingerprints = placed.flatMap((e) => (e.fingerprint ? [e.fingerprint] : []));
        const recorded = [...store.state.pending, ...store.dedupe];
        expect(new Set(recorded)).toEqual(new Set(fingerprints));
        expect(store.state.open?.count).toBe(model.openBatches()[0]?.count);
      }),
      { numRuns: 400 },
    );
  });
});

describe('chunkKeys', () => {
  it('keeps runs within the byte bound, in order, a too-large key alone', () => {
    // Act
    const runs = chunkKeys(['a/1', 'a/2', 'a/3', 'x'.repeat(20), 'a/4'], 8);

    // Assess
    expect(runs).toEqual([['a/1', 'a/2'], ['a/3'], ['x'.repeat(20)], ['a/4']]);
  });
});
