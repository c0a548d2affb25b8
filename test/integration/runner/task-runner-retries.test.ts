import { beforeAll, describe, expect, it } from 'vitest';
import { taskRouteOf } from '../../../lambdas/core/jobs/task-routing.js';
import type { ExecutionContext } from '../../../lambdas/sdk/execution-context.js';
import { identifierOf, Task } from '../../../lambdas/sdk/task.js';
import { createRunnerFixture, type RunnerFixture, uniqueCluster } from './runner-fixture.js';

/** Attempts seen per test run, keyed by the task input's run id. */
const attempts = new Map<string, number>();

class FlakyTask extends Task<{ run: string; failures: number }> {
  execute(_context: ExecutionContext) {
    const seen = (attempts.get(this.input.run) ?? 0) + 1;
    attempts.set(this.input.run, seen);
    if (seen <= this.input.failures) throw new Error(`flaky failure ${seen}`);
  }
}

class Resize extends Task {
  static override identifier = { name: 'Resize', version: 'v1.3' };
  execute() {}
}

class ResizeV12 extends Task {
  static override identifier = { name: 'Resize', version: 'v1.2' };
  execute() {}
}

class ResizeV15 extends Task {
  static override identifier = { name: 'Resize', version: 'v1.5' };
  execute() {}
}

class ResizeV25 extends Task {
  static override identifier = { name: 'Resize', version: 'v2.5' };
  execute() {}
}

describe('TaskRunner', () => {
  let fixture: RunnerFixture;

  beforeAll(async () => {
    fixture = await createRunnerFixture();
  });

  it('retries a failing task with maxRetries 2 until its third attempt succeeds', async () => {
    // Prepare
    const cluster = uniqueCluster();
    const run = cluster;
    const job = await fixture.submit(new FlakyTask({ run, failures: 2 }), cluster, {
      maxRetries: 2,
    });
    const runner = fixture.runner(cluster, [FlakyTask]);

    // Act
    const summary = await fixture.runAll(runner);

    // Assess
    expect(attempts.get(run)).toBe(3);
    expect(summary.failed).toBe(2);
    expect(summary.computed).toBe(1);
    const [task] = await fixture.tasksOf(job.jobId);
    expect(task).toMatchObject({ state: 'COMPUTED', attempts: 3, retries: 2 });
    expect((await fixture.jobs.getJob(job.jobId)).state).toBe('COMPLETED');
  });

  it('fails the job when a task without retries throws', async () => {
    // Prepare
    const cluster = uniqueCluster();
    const run = cluster;
    const job = await fixture.submit(new FlakyTask({ run, failures: 1 }), cluster);
    const runner = fixture.runner(cluster, [FlakyTask]);

    // Act
    await fixture.runAll(runner);

    // Assess
    expect(attempts.get(run)).toBe(1);
    const [task] = await fixture.tasksOf(job.jobId);
    expect(task?.state).toBe('FAILED');
    expect(task?.lastError).toContain('flaky failure 1');
    expect((await fixture.jobs.getJob(job.jobId)).state).toBe('FAILED');
  });

  it('hands a v1.3 task on from a v1.2 runner, never shows it to a v2.5 one, and runs it on v1.5', async () => {
    // Prepare
    const cluster = uniqueCluster();
    const job = await fixture.submit(new Resize(), cluster);

    // Act
    // The hand-on copy waits a second, so the older runner receives the message once.
    const older = await fixture.runAll(
      fixture.runner(cluster, [ResizeV12], { handOnDelaySeconds: 1 }),
    );
    const nextMajor = await fixture.runAll(fixture.runner(cluster, [ResizeV25]));
    const [afterRefusals] = await fixture.tasksOf(job.jobId);
    const newer = await fixture.runAll(fixture.runner(cluster, [ResizeV15]));

    // Assess
    expect(older['handed-on']).toBeGreaterThanOrEqual(1);
    expect(Object.values(nextMajor).reduce((sum, count) => sum + count, 0)).toBe(0);
    expect(older.computed).toBe(0);
    expect(afterRefusals).toMatchObject({ state: 'QUEUED', attempts: 0 });
    expect(newer.computed).toBe(1);
    const [task] = await fixture.tasksOf(job.jobId);
    expect(task?.state).toBe('COMPUTED');
    // Handing on is a new message, never another receive of the old one: nothing reaches a DLQ.
    const route = taskRouteOf(cluster, identifierOf(Resize));
    expect((await fixture.queue.depth(route)).deadLettered).toBe(0);
  });
});
