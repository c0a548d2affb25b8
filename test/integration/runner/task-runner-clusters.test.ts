import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredTask } from '../../../lambdas/core/ports/job-store.js';
import type { ExecutionContext } from '../../../lambdas/sdk/execution-context.js';
import { Task } from '../../../lambdas/sdk/task.js';
import { PROCESS_TASKS, QuickStep } from './fixtures/process-tasks.js';
import { createProcessFixture, type ProcessFixture, waitUntil } from './process-fixture.js';

/** Runs its first subtask on another cluster, and a second one back here after it. */
class SpanClusters extends Task<{ dir: string; other: string }> {
  static override identifier = { name: 'clusters/SpanClusters', version: 'v1.0' };

  execute(context: ExecutionContext) {
    const { dir, other } = this.input;
    const remote = context.submitSubtask(new QuickStep({ dir, step: 'on-b' }), { cluster: other });
    context.submitSubtask(new QuickStep({ dir, step: 'back-on-a' }), { dependsOn: [remote] });
  }
}

const TASKS = [SpanClusters, ...PROCESS_TASKS];

function byStep(tasks: readonly StoredTask[]): Record<string, StoredTask> {
  return Object.fromEntries(
    tasks.map((task) => [(JSON.parse(task.inputJson) as { step?: string }).step ?? 'root', task]),
  );
}

describe('TaskRunner', () => {
  let fixture: ProcessFixture;

  beforeAll(async () => {
    fixture = await createProcessFixture();
  });

  afterAll(async () => {
    await fixture?.close();
  });

  it('keeps a job spanning two clusters started until a runner of the second cluster comes', async () => {
    // Prepare
    const { client, markerDir } = fixture;
    const a = (await client.clusters.create('span-a')).slug;
    const b = (await client.clusters.create('span-b')).slug;
    const options = { tasks: TASKS, waitSeconds: 1, logSink: () => {} };
    const runnerA = client.runner({ ...options, cluster: a, runnerId: 'runner-a' });
    const runningA = runnerA.runForever();
    try {
      const job = await client.jobs.submit('span', new SpanClusters({ dir: markerDir, other: b }), {
        cluster: a,
      });
      await waitUntil(
        async () => byStep(await client.jobs.tasks(job.jobId)).root?.state === 'COMPUTED',
        'the root task to be computed on cluster A',
      );
      // Room for runner A to wrongly take the other cluster's task.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const [waitingJob, waitingTasks] = await Promise.all([
        client.jobs.find(job.jobId),
        client.jobs.tasks(job.jobId).then(byStep),
      ]);

      // Act
      const summaryB = await client
        .runner({ ...options, cluster: b, runnerId: 'runner-b' })
        .runAll({ signal: AbortSignal.timeout(20_000) });
      const done = await fixture.waitForJob(
        job.jobId,
        (found) => found.state === 'COMPLETED',
        'the job to complete',
      );

      // Assess
      expect(waitingJob?.state).toBe('STARTED');
      expect(waitingTasks['on-b']).toMatchObject({ cluster: b, state: 'QUEUED', attempts: 0 });
      expect(waitingTasks['back-on-a']).toMatchObject({ cluster: a, state: 'QUEUED', attempts: 0 });
      expect(summaryB.computed).toBe(1);
      expect(done.counts.COMPUTED).toBe(3);
      const tasks = byStep(await client.jobs.tasks(job.jobId));
      expect(tasks['on-b']).toMatchObject({ state: 'COMPUTED', runnerId: 'runner-b' });
      expect(tasks['back-on-a']).toMatchObject({ state: 'COMPUTED', runnerId: 'runner-a' });
    } finally {
      await runnerA.stop();
      await runningA;
    }
  });
});
