import { beforeAll, describe, expect, it } from 'vitest';
import { UnknownClusterError } from '../../../lambdas/sdk/errors.js';
import type { ExecutionContext } from '../../../lambdas/sdk/execution-context.js';
import { Task } from '../../../lambdas/sdk/task.js';
import { CronTask } from '../../../lambdas/sdk/trigger-tasks.js';
import { type ClientFixture, createClientFixture } from './client-fixture.js';

const executions = new Map<string, number>();
let brokenFixed = false;

function count(name: string): void {
  executions.set(name, (executions.get(name) ?? 0) + 1);
}

class Greet extends Task<{ who: string }> {
  static override identifier = { name: 'client/Greet', version: 'v1.0' };
  execute() {
    count(`greet:${this.input.who}`);
  }
}

class Broken extends Task {
  static override identifier = { name: 'client/Broken', version: 'v1.0' };
  execute() {
    count('broken');
    if (!brokenFixed) throw new Error('not fixed yet');
  }
}

class Parent extends Task {
  static override identifier = { name: 'client/Parent', version: 'v1.0' };
  execute(context: ExecutionContext) {
    count('parent');
    // Greet and Broken sit on queues of their own: the dependency fixes their order.
    const sibling = context.submitSubtask(new Greet({ who: 'sibling' }));
    context.submitSubtask(new Broken(), { maxRetries: 0, dependsOn: [sibling] });
  }
}

class Nightly extends CronTask {
  static override identifier = { name: 'client/Nightly', version: 'v1.0' };
  execute() {}
}

describe('Client', () => {
  let fixture: ClientFixture;

  beforeAll(async () => {
    fixture = await createClientFixture();
  });

  it('creates, lists, finds and deletes clusters and gives a default one', async () => {
    // Prepare
    const { client } = fixture;

    // Act
    const gpu = await client.clusters.create('gpu');
    const listed = await client.clusters.list();
    const found = await client.clusters.find(gpu.slug);
    const fallback = await client.clusters.default();
    const deleted = await client.clusters.delete(gpu.slug);

    // Assess
    expect(listed.map((cluster) => cluster.slug)).toContain(gpu.slug);
    expect(found?.name).toBe('gpu');
    expect(fallback.slug).toBeTruthy();
    expect(deleted).toBe(true);
    expect(await client.clusters.find(gpu.slug)).toBeUndefined();
  });

  it('submits a job, then finds it, lists its tasks and visualizes it', async () => {
    // Prepare
    const { client } = fixture;
    const cluster = await client.clusters.create('visual');

    // Act
    const job = await client.jobs.submit('greeting', new Greet({ who: 'ada' }), {
      cluster: cluster.slug,
    });
    const found = await client.jobs.find(job.jobId);
    const tasks = await client.jobs.tasks(job.jobId);
    const mermaid = await client.jobs.visualize(job.jobId, 'mermaid');
    const svg = await client.jobs.visualize(job.jobId, 'svg');

    // Assess
    expect(found?.name).toBe('greeting');
    expect(tasks.map((task) => task.identifier.name)).toEqual(['client/Greet']);
    expect(mermaid).toContain('flowchart TD');
    expect(mermaid).toContain(tasks[0]?.display);
    expect(svg).toContain('<svg');
  });

  it('submits a job with several root tasks and runs them all', async () => {
    // Prepare
    const { client } = fixture;
    const cluster = await client.clusters.create('roots');

    // Act
    const job = await client.jobs.submit(
      'two roots',
      [new Greet({ who: 'root-a' }), new Greet({ who: 'root-b' })],
      { cluster: cluster.slug },
    );
    await fixture.runner(cluster.slug, [Greet]).runAll({ signal: AbortSignal.timeout(20_000) });

    // Assess
    const tasks = await client.jobs.tasks(job.jobId);
    expect(job.rootTaskIds).toEqual(tasks.map((task) => task.taskId));
    expect(tasks.map((task) => [task.parentId, task.state])).toEqual([
      [null, 'COMPUTED'],
      [null, 'COMPUTED'],
    ]);
    expect([executions.get('greet:root-a'), executions.get('greet:root-b')]).toEqual([1, 1]);
    expect((await client.jobs.find(job.jobId))?.state).toBe('COMPLETED');
  });

  it('rejects a submission to an unknown cluster naming the cluster', async () => {
    // Act
    const submitting = fixture.client.jobs.submit('lost', new Greet({ who: 'x' }), {
      cluster: 'nowhere-12345678',
    });

    // Assess
    await expect(submitting).rejects.toThrow(UnknownClusterError);
    await expect(submitting).rejects.toThrow(/unknown cluster 'nowhere-12345678'/);
  });

  it('rejects a cron task without once() with the once() hint', async () => {
    // Act
    const submitting = fixture.client.jobs.submit('manual', new Nightly());

    // Assess
    await expect(submitting).rejects.toThrow(/once\(/);
  });

  it('queries jobs newest first', async () => {
    // Prepare
    const { client } = fixture;
    const cluster = await client.clusters.create('query');
    const from = Date.now() - 1;
    const first = await client.jobs.submit('first', new Greet({ who: 'a' }), {
      cluster: cluster.slug,
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await client.jobs.submit('second', new Greet({ who: 'b' }), {
      cluster: cluster.slug,
    });

    // Act
    const page = await client.jobs.query({ from: new Date(from), to: Date.now() + 1 });

    // Assess
    const ids = page.jobs.map((job) => job.jobId);
    expect(ids.indexOf(second.jobId)).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf(second.jobId)).toBeLessThan(ids.indexOf(first.jobId));
  });

  it('cancels a job so its queued tasks never run', async () => {
    // Prepare
    const { client } = fixture;
    const cluster = await client.clusters.create('cancel');
    const job = await client.jobs.submit('doomed', new Greet({ who: 'cancelled' }), {
      cluster: cluster.slug,
    });

    // Act
    await client.jobs.cancel(job.jobId);
    await fixture.runner(cluster.slug, [Greet]).runAll({ signal: AbortSignal.timeout(20_000) });

    // Assess
    expect((await client.jobs.find(job.jobId))?.state).toBe('CANCELLED');
    expect(executions.get('greet:cancelled')).toBeUndefined();
  });

  it('retries only the failed task of a job and completes it', async () => {
    // Prepare
    const { client } = fixture;
    const cluster = await client.clusters.create('retry');
    const runner = fixture.runner(cluster.slug, [Parent, Greet, Broken]);
    const job = await client.jobs.submit('flaky', new Parent(), { cluster: cluster.slug });
    await runner.runAll({ signal: AbortSignal.timeout(20_000) });
    const failedState = (await client.jobs.find(job.jobId))?.state;
    brokenFixed = true;

    // Act
    const retried = await client.jobs.retry(job.jobId);
    await runner.runAll({ signal: AbortSignal.timeout(20_000) });

    // Assess
    expect(failedState).toBe('FAILED');
    expect(retried.requeued).toBe(1);
    expect(executions.get('parent')).toBe(1);
    expect(executions.get('greet:sibling')).toBe(1);
    expect(executions.get('broken')).toBe(2);
    expect((await client.jobs.find(job.jobId))?.state).toBe('COMPLETED');
  });
});
