import { describe, expect, it } from 'vitest';
import {
  applyEvent,
  applyEvents,
  batchDeadline,
  closeDue,
  type OpenBatch,
} from '../../../lambdas/core/batching/batch-state.js';
import { createBatchThresholds } from '../../../lambdas/core/batching/batch-thresholds.js';
import { BatchMismatchError } from '../../../lambdas/core/batching/errors.js';
import { at, placed } from './batching-fixtures.js';

function openBatch(firstSeconds: number, lastSeconds: number, count = 2): OpenBatch {
  return {
    bucket: 'b',
    prefix: 'a/',
    count,
    firstEventAt: at(firstSeconds),
    lastEventAt: at(lastSeconds),
    keys: Array.from({ length: count }, (_, i) => `a/${i}`),
  };
}

describe('batchDeadline', () => {
  it('is lastEventAt + quiet without a maximum age', () => {
    // Act
    const deadline = batchDeadline(openBatch(0, 100), createBatchThresholds({ quietSeconds: 300 }));

    // Assess
    expect(deadline).toEqual({ at: at(400), reason: 'quiet' });
  });

  it('is firstEventAt + maxAge when that comes before the quiet deadline', () => {
    // Act
    const deadline = batchDeadline(
      openBatch(0, 500),
      createBatchThresholds({ quietSeconds: 300, maxAgeSeconds: 600 }),
    );

    // Assess
    expect(deadline).toEqual({ at: at(600), reason: 'max-age' });
  });

  it('is the quiet deadline when it comes before the maximum age', () => {
    // Act
    const deadline = batchDeadline(
      openBatch(0, 100),
      createBatchThresholds({ quietSeconds: 300, maxAgeSeconds: 600 }),
    );

    // Assess
    expect(deadline).toEqual({ at: at(400), reason: 'quiet' });
  });

  it('gives reason quiet when both deadlines fall at the same instant', () => {
    // Act
    const deadline = batchDeadline(
      openBatch(0, 300),
      createBatchThresholds({ quietSeconds: 300, maxAgeSeconds: 600 }),
    );

    // Assess
    expect(deadline).toEqual({ at: at(600), reason: 'quiet' });
  });
});

describe('applyEvent', () => {
  const thresholds = createBatchThresholds({ count: 3, quietSeconds: 300, maxAgeSeconds: 600 });

  it('opens a batch when there is none', () => {
    // Act
    const { state, closed } = applyEvent(undefined, placed('a/1', 10), thresholds);

    // Assess
    expect(closed).toEqual([]);
    expect(state).toEqual({
      bucket: 'b',
      prefix: 'a/',
      count: 1,
      firstEventAt: at(10),
      lastEventAt: at(10),
      keys: ['a/1'],
    });
  });

  it('adds an event before the deadline without modifying the given state', () => {
    // Prepare
    const before = openBatch(0, 10, 1);
    const snapshot = structuredClone(before);

    // Act
    const { state, closed } = applyEvent(before, placed('a/x', 20), thresholds);

    // Assess
    expect(closed).toEqual([]);
    expect(state).toMatchObject({ count: 2, firstEventAt: at(0), lastEventAt: at(20) });
    expect(state?.keys).toEqual(['a/0', 'a/x']);
    expect(before).toEqual(snapshot);
  });

  it('closes with reason count at the event that brings the batch to count', () => {
    // Act
    const { state, closed } = applyEvent(openBatch(0, 10, 2), placed('a/x', 20), thresholds);

    // Assess
    expect(state).toBeUndefined();
    expect(closed).toEqual([
      {
        bucket: 'b',
        prefix: 'a/',
        count: 3,
        reason: 'count',
        firstEventAt: at(0),
        lastEventAt: at(20),
        closedAt: at(20),
        keys: ['a/0', 'a/1', 'a/x'],
      },
    ]);
  });

  it('closes an overdue batch at its deadline before applying the event to a new batch', () => {
    // Act
    const { state, closed } = applyEvent(openBatch(0, 10, 2), placed('a/x', 1000), thresholds);

    // Assess
    expect(closed).toMatchObject([{ count: 2, reason: 'quiet', closedAt: at(310) }]);
    expect(state).toMatchObject({ count: 1, firstEventAt: at(1000), keys: ['a/x'] });
  });

  it('finds the batch already closed when the event arrives exactly at the quiet deadline', () => {
    // Act
    const { state, closed } = applyEvent(openBatch(0, 10, 2), placed('a/x', 310), thresholds);

    // Assess
    expect(closed).toMatchObject([{ reason: 'quiet', closedAt: at(310) }]);
    expect(state).toMatchObject({ count: 1, firstEventAt: at(310) });
  });

  it('finds the batch already closed when the event arrives exactly at the maximum age', () => {
    // Act
    const { state, closed } = applyEvent(openBatch(0, 550, 2), placed('a/x', 600), thresholds);

    // Assess
    expect(closed).toMatchObject([{ reason: 'max-age', closedAt: at(600) }]);
    expect(state).toMatchObject({ count: 1, firstEventAt: at(600) });
  });

  it('opens a batch with one event and closes it at once when count is 1', () => {
    // Act
    const { state, closed } = applyEvent(
      undefined,
      placed('a/1', 5),
      createBatchThresholds({ count: 1 }),
    );

    // Assess
    expect(state).toBeUndefined();
    expect(closed).toMatchObject([{ count: 1, reason: 'count', closedAt: at(5) }]);
  });

  it('widens the batch for a late event instead of moving lastEventAt back', () => {
    // Act
    const { state } = applyEvent(openBatch(100, 200, 1), placed('a/late', 50), thresholds);

    // Assess
    expect(state).toMatchObject({ firstEventAt: at(50), lastEventAt: at(200), count: 2 });
  });

  it('refuses an event of another prefix', () => {
    // Act
    const attempt = () =>
      applyEvent(openBatch(0, 0), { ...placed('c/1', 1), prefix: 'c/' }, thresholds);

    // Assess
    expect(attempt).toThrow(BatchMismatchError);
  });
});

describe('applyEvents', () => {
  it('folds events in order and collects every batch they close', () => {
    // Prepare
    const thresholds = createBatchThresholds({ count: 2, quietSeconds: 60 });
    const events = [placed('a/1', 0), placed('a/2', 1), placed('a/3', 2), placed('a/4', 100)];

    // Act
    const { state, closed } = applyEvents(undefined, events, thresholds);

    // Assess
    expect(closed.map((batch) => [batch.keys, batch.reason, batch.closedAt])).toEqual([
      [['a/1', 'a/2'], 'count', at(1)],
      [['a/3'], 'quiet', at(62)],
    ]);
    expect(state?.keys).toEqual(['a/4']);
  });
});

describe('closeDue', () => {
  it('closes the batches due at or before now, at their deadlines, and keeps the others', () => {
    // Prepare
    const thresholds = createBatchThresholds({ quietSeconds: 60 });
    const due = openBatch(0, 10);
    const dueNow = { ...openBatch(0, 40), prefix: 'c/' };
    const notDue = { ...openBatch(0, 41), prefix: 'd/' };

    // Act
    const { open, closed } = closeDue([due, dueNow, notDue], at(100), thresholds);

    // Assess
    expect(closed.map((batch) => [batch.prefix, batch.closedAt, batch.reason])).toEqual([
      ['a/', at(70), 'quiet'],
      ['c/', at(100), 'quiet'],
    ]);
    expect(open).toEqual([notDue]);
  });
});
