import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  deriveJobStateFromCounts,
  EMPTY_TASK_COUNTS,
  jobAcceptsWork,
  type TaskStateCounts,
} from '../../../lambdas/core/jobs/job-counts.js';
import {
  acceptsNewWork,
  deriveJobState,
  TASK_STATES,
} from '../../../lambdas/core/jobs/task-state.js';

const states = fc.array(fc.constantFrom(...TASK_STATES), { maxLength: 20 });
const flags = fc.record({ cancelled: fc.boolean(), started: fc.boolean() });

function countsOf(list: readonly (typeof TASK_STATES)[number][]): TaskStateCounts {
  const counts = { ...EMPTY_TASK_COUNTS };
  for (const state of list) counts[state] += 1;
  return counts;
}

describe('deriveJobStateFromCounts', () => {
  it('agrees with deriveJobState on the list of task states the counts stand for', () => {
    fc.assert(
      fc.property(states, flags, (list, jobFlags) => {
        expect(deriveJobStateFromCounts(countsOf(list), jobFlags)).toBe(
          deriveJobState(list, jobFlags),
        );
      }),
    );
  });

  it('accepts work exactly when the derived state does', () => {
    fc.assert(
      fc.property(states, flags, (list, jobFlags) => {
        expect(jobAcceptsWork(countsOf(list), jobFlags)).toBe(
          acceptsNewWork(deriveJobState(list, jobFlags)),
        );
      }),
    );
  });

  it('derives FAILED when one task failed and the job is not cancelled', () => {
    expect(deriveJobStateFromCounts({ ...EMPTY_TASK_COUNTS, COMPUTED: 3, FAILED: 1 })).toBe(
      'FAILED',
    );
  });
});
