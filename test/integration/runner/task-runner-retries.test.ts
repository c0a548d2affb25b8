import { beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionContext } from '../../../lambdas/sdk/execution-context.js';
import { Task } from '../../../lambdas/sdk/task.js';
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

  it('leaves a v1.3 task QUEUED on runners with v1.2 or v2.5 and runs it on one with v1.5', async () => {
    // Prepare
    const cluster = uniqueCluster();
    const job = await fixture.submit(new Resize(), cluster);

    // Act
    // Hidden for a second after a refusal, so each refusing runner receives the message once.
    const refusing = { releaseDelaySeconds: 1 };
    const older = await fixture.runAll(fixture.runner(cluster, [ResizeV12], refusing));
    const nextMajor = await fixture.runAll(fixture.runner(cluster, [ResizeV25], refusing));
    const [afterRefusals] = await fixture.tasksOf(job.jobId);
    const newer = await fixture.runAll(fixture.runner(cluster, [ResizeV15]));

    // Assess
    expect(older.incompatible).toBeGreaterThanOrEqual(1);
    expect(nextMajor.incompatible).toBeGreaterThanOrEqual(1);
    expect(older.computed + nextMajor.computed).toBe(0);
    expect(afterRefusals).toMatchObject({ state: 'QUEUED', attempts: 0 });
    expect(newer.computed).toBe(1);
    const [task] = await fixture.tasksOf(job.jobId);
    expect(task?.state).toBe('COMPUTED');
  });
});
