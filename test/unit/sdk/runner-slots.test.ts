import { describe, expect, it } from 'vitest';
import type { ReceivedTask } from '../../../lambdas/core/ports/task-queue.js';
import { RunnerSlots } from '../../../lambdas/sdk/runner-slots.js';
import type { AttemptOutcome } from '../../../lambdas/sdk/task-attempt.js';

function delivery(taskId: string): ReceivedTask {
  return {
    message: {
      jobId: 'job-1',
      taskId,
      attempt: 1,
      cluster: 'default',
      identifier: { name: 'Noop', version: 'v1.0' },
    },
    receipt: { queue: 'queue-1', handle: `handle-${taskId}` },
    messageId: `message-${taskId}`,
  };
}

/** A process function whose deliveries end when the test says so. */
function controlledProcess() {
  const started: string[] = [];
  const endings = new Map<string, (outcome: AttemptOutcome) => void>();
  const process = (received: ReceivedTask) =>
    new Promise<AttemptOutcome>((resolve) => {
      started.push(received.message.taskId);
      endings.set(received.message.taskId, resolve);
    });
  const end = async (taskId: string, outcome: AttemptOutcome) => {
    endings.get(taskId)?.(outcome);
    // Lets the slot's bookkeeping run (it follows the outcome by one promise turn).
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { started, process, end };
}

describe('RunnerSlots', () => {
  it('runs at most `concurrency` deliveries and buffers the rest', () => {
    // Prepare
    const { started, process } = controlledProcess();
    const slots = new RunnerSlots(2, process);

    // Act
    slots.enqueue([delivery('a'), delivery('b'), delivery('c')]);

    // Assess
    expect(started).toEqual(['a', 'b']);
    expect(slots.runningCount).toBe(2);
    expect(slots.bufferedCount).toBe(1);
    expect(slots.free()).toBe(-1);
  });

  it('starts a buffered delivery when a running one ends, and records the outcome', async () => {
    // Prepare
    const { started, process, end } = controlledProcess();
    const slots = new RunnerSlots(1, process);
    const summary = slots.resetSummary();
    slots.enqueue([delivery('a'), delivery('b')]);

    // Act
    await end('a', 'computed');

    // Assess
    expect(started).toEqual(['a', 'b']);
    expect(summary.computed).toBe(1);
    expect(slots.bufferedCount).toBe(0);
  });

  it('wakes the callers of changed() when a delivery ends', async () => {
    // Prepare
    const { process, end } = controlledProcess();
    const slots = new RunnerSlots(1, process);
    slots.enqueue([delivery('a')]);
    let woken = false;
    const changed = slots.changed().then(() => {
      woken = true;
    });

    // Act
    await end('a', 'skipped');
    await changed;

    // Assess
    expect(woken).toBe(true);
    expect(slots.free()).toBe(1);
  });

  it('counts a handed-on message until a later attempt of it ends otherwise', async () => {
    // Prepare
    const { process, end } = controlledProcess();
    const slots = new RunnerSlots(1, process);
    slots.enqueue([delivery('a')]);
    await end('a', 'handed-on');
    const handedOn = slots.handedOnCount;

    // Act
    slots.enqueue([delivery('a')]);
    await end('a', 'skipped');

    // Assess
    expect(handedOn).toBe(1);
    expect(slots.handedOnCount).toBe(0);
  });

  it('hands over the buffered deliveries without starting them', () => {
    // Prepare
    const { started, process } = controlledProcess();
    const slots = new RunnerSlots(1, process);
    slots.enqueue([delivery('a'), delivery('b')]);

    // Act
    const taken = slots.takeBuffered();

    // Assess
    expect(taken.map((each) => each.message.taskId)).toEqual(['b']);
    expect(started).toEqual(['a']);
    expect(slots.bufferedCount).toBe(0);
  });
});
