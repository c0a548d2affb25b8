import { beforeAll, describe, expect, it } from 'vitest';
import type { SqsTaskQueue } from '../../../lambdas/adapters/aws/queues/sqs-task-queue.js';
import { taskRouteOf } from '../../../lambdas/core/jobs/task-routing.js';
import type { Client } from '../../../lambdas/sdk/client.js';
import type { ExecutionContext } from '../../../lambdas/sdk/execution-context.js';
import { identifierOf, Task, type TaskClass } from '../../../lambdas/sdk/task.js';
import type { TaskRunner } from '../../../lambdas/sdk/task-runner.js';
import { createClientFixture } from '../client/client-fixture.js';
import { waitUntil } from './process-fixture.js';

// Tilebox's distributed workflow: no runner can run all three tasks; one runner has the
// network for DownloadData, another the GPU for ProcessData, and both can run the workflow.
class DistributedWorkflow extends Task {
  static override identifier = { name: 'routing/DistributedWorkflow', version: 'v1.0' };
  execute(context: ExecutionContext) {
    const download = context.submitSubtask(new DownloadData());
    context.submitSubtask(new ProcessData(), { dependsOn: [download] });
  }
}

class DownloadData extends Task {
  static override identifier = { name: 'routing/DownloadData', version: 'v1.0' };
  execute() {}
}

class ProcessData extends Task {
  static override identifier = { name: 'routing/ProcessData', version: 'v1.0' };
  execute() {}
}

class Orphan extends Task {
  static override identifier = { name: 'routing/Orphan', version: 'v1.5' };
  execute() {}
}

class OrphanV12 extends Task {
  static override identifier = { name: 'routing/Orphan', version: 'v1.2' };
  execute() {}
}

/** How long the GPU runner runs alone, as in the account of the documentation example. */
const ALONE_MS = 25_000;

describe('TaskRunner routing', () => {
  let client: Client;
  let queue: SqsTaskQueue;

  beforeAll(async () => {
    ({ client, queue } = await createClientFixture());
  });

  function start(cluster: string, runnerId: string, tasks: readonly TaskClass[]) {
    const runner: TaskRunner = client.runner({
      cluster,
      runnerId,
      tasks,
      waitSeconds: 1,
      logSink: () => {},
    });
    return { runner, running: runner.runForever() };
  }

  async function stopAll(...runners: Array<{ runner: TaskRunner; running: Promise<unknown> }>) {
    await Promise.all(runners.map(({ runner }) => runner.stop()));
    await Promise.all(runners.map(({ running }) => running));
  }

  async function deadLettered(cluster: string, classes: readonly TaskClass[]): Promise<number> {
    const depths = await Promise.all(
      classes.map((cls) => queue.depth(taskRouteOf(cluster, identifierOf(cls)))),
    );
    return Math.max(...depths.map((depth) => depth.deadLettered));
  }

  it('runs the distributed example within 5 s of the download runner starting 25 s after the GPU runner', async () => {
    // Prepare: the GPU runner alone; the workflow's DownloadData waits for a runner.
    const cluster = (await client.clusters.create('distributed')).slug;
    const gpuStartedAt = Date.now();
    const gpu = start(cluster, 'gpu', [ProcessData, DistributedWorkflow]);
    try {
      const job = await client.jobs.submit('distributed', new DistributedWorkflow(), { cluster });
      await waitUntil(
        async () => (await client.jobs.tasks(job.jobId)).length === 3,
        'the workflow to submit its subtasks on the GPU runner',
      );
      const waitingAlone = await client.jobs.waiting(job.jobId);
      // The scenario itself: the second runner comes 25 s after the first.
      await new Promise((resolve) => setTimeout(resolve, gpuStartedAt + ALONE_MS - Date.now()));
      const whileAlone = await client.jobs.tasks(job.jobId);

      // Act
      const secondStartedAt = Date.now();
      const download = start(cluster, 'download', [DownloadData, DistributedWorkflow]);
      try {
        await waitUntil(
          async () => (await client.jobs.find(job.jobId))?.state === 'COMPLETED',
          'the job to complete',
        );
        const completedAfterMs = Date.now() - secondStartedAt;

        // Assess
        expect(completedAfterMs).toBeLessThan(5_000);
        expect(waitingAlone.map((task) => [task.identifier.name, task.problem])).toEqual([
          [
            'routing/DownloadData',
            `no runner on cluster ${cluster} registered routing/DownloadData@v1.x`,
          ],
        ]);
        const byName = (tasks: typeof whileAlone, name: string) =>
          tasks.find((task) => task.identifier.name === name);
        expect(byName(whileAlone, 'routing/DownloadData')).toMatchObject({
          state: 'QUEUED',
          attempts: 0,
        });
        const tasks = await client.jobs.tasks(job.jobId);
        expect(byName(tasks, 'routing/DistributedWorkflow')?.runnerId).toBe('gpu');
        expect(byName(tasks, 'routing/DownloadData')).toMatchObject({
          runnerId: 'download',
          attempts: 1,
        });
        expect(byName(tasks, 'routing/ProcessData')).toMatchObject({
          runnerId: 'gpu',
          attempts: 1,
        });
        expect(await deadLettered(cluster, [DistributedWorkflow, DownloadData, ProcessData])).toBe(
          0,
        );
      } finally {
        await stopAll(download);
      }
    } finally {
      await stopAll(gpu);
    }
  }, 90_000);

  it('leaves a task no runner registered QUEUED, says why, and never dead-letters it', async () => {
    // Prepare: a live runner on the cluster, of other tasks.
    const cluster = (await client.clusters.create('orphans')).slug;
    const other = start(cluster, 'other', [DownloadData]);
    try {
      const job = await client.jobs.submit('orphan', new Orphan(), { cluster });

      // Act: let the runner poll for a while.
      await waitUntil(
        async () => (await client.jobs.waiting(job.jobId))[0]?.problem !== undefined,
        'the job view to see the runner of the cluster',
      );
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const [task] = await client.jobs.tasks(job.jobId);
      const [waiting] = await client.jobs.waiting(job.jobId);
      const depth = await queue.depth(taskRouteOf(cluster, identifierOf(Orphan)));

      // Assess
      expect(task).toMatchObject({ state: 'QUEUED', attempts: 0, runnable: true });
      expect(waiting?.problem).toBe(
        `no runner on cluster ${cluster} registered routing/Orphan@v1.x`,
      );
      expect(depth).toMatchObject({ visible: 1, inFlight: 0, deadLettered: 0 });
    } finally {
      await stopAll(other);
    }
  });

  it('says a task waits for a newer minor version than the runners registered', async () => {
    // Prepare
    const cluster = (await client.clusters.create('minors')).slug;
    const older = start(cluster, 'older', [OrphanV12]);
    try {
      const job = await client.jobs.submit('newer', new Orphan(), { cluster });

      // Act
      await waitUntil(
        async () => (await client.jobs.waiting(job.jobId))[0]?.problem?.includes('up to') === true,
        'the job view to see the older runner',
      );
      const [waiting] = await client.jobs.waiting(job.jobId);

      // Assess
      expect(waiting?.problem).toBe(
        `runners on cluster ${cluster} registered routing/Orphan up to v1.2; routing/Orphan@v1.5 needs v1.5 or newer`,
      );
      expect(await deadLettered(cluster, [Orphan])).toBe(0);
    } finally {
      await stopAll(older);
    }
  });
});
