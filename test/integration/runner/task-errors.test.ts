import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_STORED_ERROR_BYTES } from '../../../lambdas/core/error-text.js';
import type { ExecutionContext } from '../../../lambdas/sdk/execution-context.js';
import { Task } from '../../../lambdas/sdk/task.js';
import { createRunnerFixture, type RunnerFixture, uniqueCluster } from './runner-fixture.js';

/** Runs per test, keyed by the task input's run id. */
const runs = new Map<string, number>();

class Explodes extends Task<{ run: string; messageBytes: number }> {
  execute(_context: ExecutionContext) {
    runs.set(this.input.run, (runs.get(this.input.run) ?? 0) + 1);
    throw new Error(`disk full: ${'x'.repeat(this.input.messageBytes)}`);
  }
}

describe('TaskRunner failures', () => {
  let fixture: RunnerFixture;

  beforeAll(async () => {
    fixture = await createRunnerFixture();
  });

  it('runs a task with maxRetries 0 and a 500 KB error once and records its own error, cut to 8 KB', async () => {
    // Prepare: the error alone is larger than a DynamoDB item may be.
    const cluster = uniqueCluster();
    const run = cluster;
    const job = await fixture.submit(new Explodes({ run, messageBytes: 500_000 }), cluster, {
      maxRetries: 0,
    });

    // Act
    const summary = await fixture.runAll(fixture.runner(cluster, [Explodes]));

    // Assess
    expect(runs.get(run)).toBe(1);
    expect(summary.failed).toBe(1);
    const [task] = await fixture.tasksOf(job.jobId);
    expect(task).toMatchObject({ state: 'FAILED', attempts: 1 });
    const error = task?.lastError ?? '';
    // Compared in pieces, so that a failure does not print 8 KB of x.
    expect(error.startsWith('Error: disk full: xxx')).toBe(true);
    const cut = error.slice(error.indexOf('\n…'));
    expect(cut).toMatch(/^\n… \[cut: [\d,]+ of 500,018 bytes\]\n {4}at /);
    expect(new TextEncoder().encode(error).length).toBeLessThanOrEqual(MAX_STORED_ERROR_BYTES);
    expect((await fixture.jobs.getJob(job.jobId)).state).toBe('FAILED');
  });

  it('records a small error whole, with where it was thrown', async () => {
    // Prepare
    const cluster = uniqueCluster();
    const job = await fixture.submit(new Explodes({ run: cluster, messageBytes: 3 }), cluster);

    // Act
    await fixture.runAll(fixture.runner(cluster, [Explodes]));

    // Assess
    const [task] = await fixture.tasksOf(job.jobId);
    expect(task?.lastError).toMatch(/^Error: disk full: xxx\n {4}at .*task-errors\.test\.ts/);
  });
});
