import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planAppend } from '../../../lambdas/core/batching/batch-append.js';
import {
  applyEvents,
  batchDeadline,
  type OpenBatch,
} from '../../../lambdas/core/batching/batch-state.js';
import {
  type BatchThresholds,
  createBatchThresholds,
} from '../../../lambdas/core/batching/batch-thresholds.js';
import { at, placed } from './batching-fixtures.js';

/** Whether a stored batch meets a plan's requirements, as the store's condition checks them. */
function meets(
  open: OpenBatch,
  requires: NonNullable<ReturnType<typeof planAppend>>['requires'],
  thresholds: BatchThresholds,
): boolean {
  const ageAt =
    thresholds.maxAgeSeconds === undefined
      ? undefined
      : open.firstEventAt + thresholds.maxAgeSeconds * 1000;
  return (
    batchDeadline(open, thresholds).at > requires.dueAfter &&
    open.lastEventAt <= requires.lastEventAtMost &&
    open.firstEventAt <= requires.firstEventAtMost &&
    open.count <= requires.countAtMost &&
    (requires.ageAtLeast === undefined || (ageAt !== undefined && ageAt >= requires.ageAtLeast))
  );
}

describe('planAppend', () => {
  it('plans an append whose deadline is the last event plus the quiet period', () => {
    // Prepare
    const thresholds = createBatchThresholds({ count: 10, quietSeconds: 60, maxAgeSeconds: 600 });

    // Act
    const plan = planAppend([placed('a/1', 0), placed('a/2', 30)], thresholds);

    // Assess
    expect(plan).toEqual({
      count: 2,
      firstEventAt: at(0),
      lastEventAt: at(30),
      dueAt: at(90),
      ageAtIfNew: at(600),
      requires: {
        dueAfter: at(0),
        lastEventAtMost: at(30),
        firstEventAtMost: at(0),
        countAtMost: 7,
        ageAtLeast: at(90),
      },
    });
  });

  it('refuses events that reach the count threshold by themselves', () => {
    // Act
    const plan = planAppend(
      [placed('a/1', 0), placed('a/2', 1)],
      createBatchThresholds({ count: 2 }),
    );

    // Assess
    expect(plan).toBeUndefined();
  });

  it('refuses events a quiet period apart, the later one exactly at the deadline', () => {
    // Act
    const plan = planAppend(
      [placed('a/1', 0), placed('a/2', 60)],
      createBatchThresholds({ quietSeconds: 60 }),
    );

    // Assess
    expect(plan).toBeUndefined();
  });

  it('refuses events whose new batch would reach its maximum age before going quiet', () => {
    // Act
    const plan = planAppend(
      [placed('a/1', 0), placed('a/2', 50)],
      createBatchThresholds({ quietSeconds: 60, maxAgeSeconds: 100 }),
    );

    // Assess
    expect(plan).toBeUndefined();
  });

  it('refuses events out of time order and an empty list', () => {
    // Act
    const thresholds = createBatchThresholds();

    // Assess
    expect(planAppend([placed('a/2', 5), placed('a/1', 0)], thresholds)).toBeUndefined();
    expect(planAppend([], thresholds)).toBeUndefined();
  });

  it('predicts applyEvents exactly when the stored batch meets its requirements', () => {
    const scenario = fc.record({
      count: fc.integer({ min: 1, max: 8 }),
      quietSeconds: fc.integer({ min: 1, max: 20 }),
      extraAge: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
      start: fc.integer({ min: 0, max: 100 }),
      gaps: fc.array(fc.integer({ min: 0, max: 25 }), { minLength: 1, maxLength: 8 }),
      stored: fc.option(
        fc.record({
          count: fc.integer({ min: 1, max: 8 }),
          first: fc.integer({ min: 0, max: 100 }),
          span: fc.integer({ min: 0, max: 50 }),
        }),
        { nil: undefined },
      ),
    });
    fc.assert(
      fc.property(scenario, ({ count, quietSeconds, extraAge, start, gaps, stored }) => {
        // Prepare
        const thresholds = createBatchThresholds({
          count,
          quietSeconds,
          maxAgeSeconds: extraAge === undefined ? undefined : quietSeconds + extraAge,
        });
        let seconds = start;
        const events = gaps.map((gap, index) => {
          seconds += gap;
          return placed(`a/${index}`, seconds);
        });
        const open: OpenBatch | undefined = stored && {
          bucket: 'b',
          prefix: 'a/',
          count: stored.count,
          firstEventAt: at(stored.first),
          lastEventAt: at(stored.first + stored.span),
          keys: [],
        };
        const plan = planAppend(events, thresholds);
        fc.pre(plan !== undefined);
        if (open !== undefined) fc.pre(meets(open, plan.requires, thresholds));

        // Act
        const { state, closed } = applyEvents(open, events, thresholds);

        // Assess
        expect(closed).toEqual([]);
        expect(state).toMatchObject({
          count: (open?.count ?? 0) + events.length,
          firstEventAt: open?.firstEventAt ?? plan.firstEventAt,
          lastEventAt: plan.lastEventAt,
        });
        if (state)
          expect(batchDeadline(state, thresholds)).toEqual({ at: plan.dueAt, reason: 'quiet' });
      }),
      { numRuns: 2000 },
    );
  });
});
