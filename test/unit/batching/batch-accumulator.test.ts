import { describe, expect, it } from 'vitest';
import { BatchAccumulator } from '../../../lambdas/core/batching/batch-accumulator.js';
import { simulateBatches } from '../../../lambdas/core/batching/batch-simulation.js';
import { createBatchPolicy } from '../../../lambdas/core/batching/batch-thresholds.js';
import { InvalidBatchEventError } from '../../../lambdas/core/batching/errors.js';
import { at, created } from './batching-fixtures.js';

describe('BatchAccumulator', () => {
  it('batches per bucket and prefix', () => {
    // Prepare
    const accumulator = new BatchAccumulator(createBatchPolicy({ prefixDepth: 2 }));

    // Act
    for (const event of [
      created('a/b/c/1.txt', 0),
      created('a/b/2.txt', 1),
      created('a/x/3.txt', 2),
      created('a/b/4.txt', 3, { bucket: 'other' }),
      created('root.txt', 4),
    ]) {
      accumulator.add(event);
    }

    // Assess
    expect(
      accumulator.openBatches().map((batch) => [batch.bucket, batch.prefix, batch.keys]),
    ).toEqual([
      ['b', 'a/b/', ['a/b/c/1.txt', 'a/b/2.txt']],
      ['b', 'a/x/', ['a/x/3.txt']],
      ['other', 'a/b/', ['a/b/4.txt']],
      ['b', '', ['root.txt']],
    ]);
  });

  it('closes a batch when the count threshold is reached', () => {
    // Prepare
    const accumulator = new BatchAccumulator(createBatchPolicy({ count: 2 }));
    accumulator.add(created('a/b/1', 0));

    // Act
    const result = accumulator.add(created('a/b/2', 5));

    // Assess
    expect(result.outcome).toBe('counted');
    expect(result.closed).toMatchObject([{ count: 2, reason: 'count', closedAt: at(5) }]);
    expect(accumulator.openBatches()).toEqual([]);
  });

  it('ignores deleted events and reports them as deleted', () => {
    // Prepare
    const accumulator = new BatchAccumulator(createBatchPolicy());

    // Act
    const result = accumulator.add(created('a/b/1', 0, { type: 'deleted' }));

    // Assess
    expect(result).toEqual({ outcome: 'deleted', closed: [] });
    expect(accumulator.stats).toEqual({
      read: 1,
      counted: 0,
      duplicates: 0,
      deleted: 1,
      ignored: 0,
      markers: 0,
    });
    expect(accumulator.openBatches()).toEqual([]);
  });

  it('ignores keys whose key or folder matches an ignore pattern', () => {
    // Prepare
    const accumulator = new BatchAccumulator(createBatchPolicy({ ignore: ['raw/*', 'scratch'] }));

    // Act
    const outcomes = ['raw/a.txt', 'raw/x/b.txt', 'scratch/c.txt', 'data/d.txt'].map(
      (key) => accumulator.add(created(key, 0)).outcome,
    );

    // Assess
    expect(outcomes).toEqual(['ignored', 'ignored', 'ignored', 'counted']);
    expect(accumulator.stats).toMatchObject({ read: 4, counted: 1, ignored: 3 });
  });

  it('counts a repeated (bucket, key, sequencer) delivery once', () => {
    // Prepare
    const accumulator = new BatchAccumulator(createBatchPolicy());
    accumulator.add(created('a/b/1', 0, { sequencer: '00A1' }));

    // Act
    const repeat = accumulator.add(created('a/b/1', 3, { sequencer: '00A1' }));
    const overwrite = accumulator.add(created('a/b/1', 4, { sequencer: '00A2' }));
    const otherBucket = accumulator.add(created('a/b/1', 5, { sequencer: '00A1', bucket: 'c' }));

    // Assess
    expect([repeat.outcome, overwrite.outcome, otherBucket.outcome]).toEqual([
      'duplicate',
      'counted',
      'counted',
    ]);
    expect(accumulator.stats).toMatchObject({ read: 4, counted: 3, duplicates: 1 });
  });

  it('never treats events without a sequencer as duplicates', () => {
    // Prepare
    const accumulator = new BatchAccumulator(createBatchPolicy());

    // Act
    const outcomes = [0, 0, 0].map((s) => accumulator.add(created('a/b/1', s)).outcome);

    // Assess
    expect(outcomes).toEqual(['counted', 'counted', 'counted']);
  });

  it('recognises a duplicate delivery after its batch has closed', () => {
    // Prepare
    const accumulator = new BatchAccumulator(createBatchPolicy({ count: 1 }));
    accumulator.add(created('a/b/1', 0, { sequencer: '1' }));

    // Act
    const result = accumulator.add(created('a/b/1', 1000, { sequencer: '1' }));

    // Assess
    expect(result).toEqual({ outcome: 'duplicate', closed: [] });
  });

  it('closes due batches at their deadlines and keeps the others open', () => {
    // Prepare
    const accumulator = new BatchAccumulator(createBatchPolicy({ quietSeconds: 60 }));
    accumulator.add(created('a/b/1', 0));
    accumulator.add(created('c/d/1', 30));

    // Act
    const closed = accumulator.closeDue(at(60));

    // Assess
    expect(closed).toMatchObject([{ prefix: 'a/b/', reason: 'quiet', closedAt: at(60) }]);
    expect(accumulator.openBatches().map((batch) => batch.prefix)).toEqual(['c/d/']);
  });

  it('flushes the remaining batches at their deadlines', () => {
    // Prepare
    const accumulator = new BatchAccumulator(
      createBatchPolicy({ quietSeconds: 60, maxAgeSeconds: 100 }),
    );
    for (const seconds of [0, 50, 90]) accumulator.add(created('a/b/1', seconds));
    accumulator.add(created('c/d/1', 10));

    // Act
    const closed = accumulator.flush();

    // Assess
    expect(closed.map((batch) => [batch.prefix, batch.reason, batch.closedAt])).toEqual([
      ['a/b/', 'max-age', at(100)],
      ['c/d/', 'quiet', at(70)],
    ]);
    expect(accumulator.openBatches()).toEqual([]);
  });

  it('rejects an event whose time is not a number', () => {
    // Prepare
    const accumulator = new BatchAccumulator(createBatchPolicy());

    // Act
    const attempt = () => accumulator.add({ ...created('a/b/1', 0), time: Number.NaN });

    // Assess
    expect(attempt).toThrow(InvalidBatchEventError);
    expect(attempt).toThrow(/^time: must be a finite number/);
  });
});

describe('simulateBatches', () => {
  it('processes events in event-time order, keeping input order on ties', () => {
    // Prepare
    const events = [
      created('a/b/3', 20),
      created('a/b/1', 10),
      created('a/b/2', 10),
      created('a/b/4', 30),
    ];

    // Act
    const { closed } = simulateBatches(events, createBatchPolicy({ count: 2 }));

    // Assess
    expect(closed.map((batch) => batch.keys)).toEqual([
      ['a/b/1', 'a/b/2'],
      ['a/b/3', 'a/b/4'],
    ]);
  });

  it('closes with reason quiet at lastEventAt + quiet and opens a new batch for a later event', () => {
    // Prepare
    const events = [created('a/b/1', 0), created('a/b/2', 100), created('a/b/3', 400)];

    // Act
    const { closed } = simulateBatches(events, createBatchPolicy({ quietSeconds: 300 }));

    // Assess
    expect(closed.map((batch) => [batch.keys, batch.reason, batch.closedAt])).toEqual([
      [['a/b/1', 'a/b/2'], 'quiet', at(400)],
      [['a/b/3'], 'quiet', at(700)],
    ]);
  });

  it('closes with reason max-age at firstEventAt + maxAge in a prefix that never goes quiet', () => {
    // Prepare
    const events = [0, 200, 400, 600, 800].map((s) => created(`a/b/${s}`, s));

    // Act
    const { closed } = simulateBatches(
      events,
      createBatchPolicy({ quietSeconds: 300, maxAgeSeconds: 500 }),
    );

    // Assess
    expect(closed.map((batch) => [batch.count, batch.reason, batch.closedAt])).toEqual([
      [3, 'max-age', at(500)],
      [2, 'quiet', at(1100)],
    ]);
  });

  it('orders closed batches by closedAt, then bucket, then prefix', () => {
    // Prepare
    const events = [
      created('z/1', 0),
      created('a/1', 0),
      created('a/1', 0, { bucket: 'a' }),
      created('m/1', -10),
    ];

    // Act
    const { closed } = simulateBatches(events, createBatchPolicy({ quietSeconds: 60 }));

    // Assess
    expect(closed.map((batch) => [batch.bucket, batch.prefix])).toEqual([
      ['b', 'm/'],
      ['a', 'a/'],
      ['b', 'a/'],
      ['b', 'z/'],
    ]);
  });

  it('reports what became of every event', () => {
    // Prepare
    const events = [
      created('a/1', 0, { sequencer: '1' }),
      created('a/1', 1, { sequencer: '1' }),
      created('a/2', 2, { type: 'deleted' }),
      created('raw/3', 3),
      created('a/4', 4),
    ];

    // Act
    const { stats } = simulateBatches(events, createBatchPolicy({ ignore: ['raw/*'] }));

    // Assess
    expect(stats).toEqual({
      read: 5,
      counted: 2,
      duplicates: 1,
      deleted: 1,
      ignored: 1,
      markers: 0,
    });
  });
});
