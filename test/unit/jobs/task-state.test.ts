import { describe, expect, it } from 'vitest';
import { IllegalTransitionError } from '../../../lambdas/core/jobs/errors.js';
import {
  acceptsNewWork,
  assertTaskTransition,
  canTransition,
  deriveJobState,
  TASK_STATES,
  type TaskState,
  tasksToCancel,
  tasksToRequeue,
} from '../../../lambdas/core/jobs/task-state.js';

const legal: [TaskState, TaskState][] = [
  ['QUEUED', 'RUNNING'],
  ['QUEUED', 'CANCELLED'],
  ['RUNNING', 'COMPUTED'],
  ['RUNNING', 'QUEUED'],
  ['RUNNING', 'FAILED'],
  ['RUNNING', 'CANCELLED'],
  ['FAILED', 'QUEUED'],
  ['CANCELLED', 'QUEUED'],
];

describe('assertTaskTransition', () => {
  it.each(legal)('allows %s → %s', (from, to) => {
    expect(() => assertTaskTransition(from, to)).not.toThrow();
  });

  it('refuses every pair that is not listed', () => {
    // Prepare
    const pairs = TASK_STATES.flatMap((from) => TASK_STATES.map((to) => [from, to] as const));
    const listed = new Set(legal.map(([from, to]) => `${from}>${to}`));

    for (const [from, to] of pairs) {
      // Act
      const allowed = canTransition(from, to);

      // Assess
      expect(allowed, `${from} → ${to}`).toBe(listed.has(`${from}>${to}`));
    }
  });

  it.each([
    ['COMPUTED', 'QUEUED', 'a computed task never changes state'],
    ['FAILED', 'RUNNING', 'only a queued task can be claimed'],
    ['QUEUED', 'COMPUTED', 'a queued task must be claimed (RUNNING) before it can finish'],
    ['CANCELLED', 'FAILED', 'a cancelled task only leaves that state when its job is retried'],
    ['RUNNING', 'RUNNING', 'the task is already RUNNING'],
  ] as const)('explains why %s → %s is refused', (from, to, reason) => {
    // Act
    const act = () => assertTaskTransition(from, to, '01TASK');

    // Assess
    expect(act).toThrow(IllegalTransitionError);
    expect(act).toThrow(`task 01TASK: cannot go from ${from} to ${to} (${reason})`);
  });
});

describe('deriveJobState', () => {
  it.each([
    [['QUEUED'], {}, 'QUEUED'],
    [['QUEUED'], { started: true }, 'STARTED'],
    [['RUNNING'], {}, 'STARTED'],
    [['COMPUTED', 'QUEUED', 'QUEUED'], {}, 'STARTED'],
    [['COMPUTED', 'COMPUTED'], {}, 'COMPLETED'],
    [['COMPUTED', 'FAILED', 'CANCELLED', 'RUNNING'], {}, 'FAILED'],
    [['COMPUTED', 'CANCELLED'], { cancelled: true }, 'CANCELLED'],
    [['COMPUTED', 'FAILED'], { cancelled: true }, 'CANCELLED'],
    [['COMPUTED', 'COMPUTED'], { cancelled: true }, 'COMPLETED'],
    [[], {}, 'QUEUED'],
  ] as const)('derives from %j with %j: %s', (states, flags, expected) => {
    expect(deriveJobState(states, flags)).toBe(expected);
  });
});

describe('job lifecycle helpers', () => {
  const tasks = [
    { id: 'a', state: 'COMPUTED' as const },
    { id: 'b', state: 'RUNNING' as const },
    { id: 'c', state: 'QUEUED' as const },
    { id: 'd', state: 'FAILED' as const },
    { id: 'e', state: 'CANCELLED' as const },
  ];

  it('cancels only queued tasks when a job stops', () => {
    expect(tasksToCancel(tasks)).toEqual(['c']);
  });

  it('re-queues only failed and cancelled tasks on a job retry', () => {
    expect(tasksToRequeue(tasks)).toEqual(['d', 'e']);
  });

  it('accepts new work only while the job is queued or started', () => {
    expect(
      ['QUEUED', 'STARTED', 'COMPLETED', 'FAILED', 'CANCELLED'].map((s) =>
        acceptsNewWork(s as never),
      ),
    ).toEqual([true, true, false, false, false]);
  });
});
