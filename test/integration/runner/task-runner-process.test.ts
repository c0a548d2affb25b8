import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlerRuntime } from '../../../lambdas/handlers/runtime.js';
import { createTaskReconcileHandler } from '../../../lambdas/handlers/task-reconcile.js';
import { localClients } from '../support/local-aws.js';
import {
  BlockingStep,
  markers,
  PROCESS_LEASE_MS,
  PROCESS_TASKS,
  QuickStep,
  releaseMarker,
} from './fixtures/process-tasks.js';
import { createProcessFixture, type ProcessFixture, waitUntil } from './process-fixture.js';

describe('TaskRunner process', () => {
  let fixture: ProcessFixture;

  beforeAll(async () => {
    fixture = await createProcessFixture();
  });

  afterAll(async () => {
    await fixture?.close();
  });

  /** The reconcile Lambda of the stack, on this fixture's tables and queues. */
  function reconcile() {
    const { connection } = fixture;
    const runtime = createHandlerRuntime(
      {
        region: connection.endpoints.region,
        tables: connection.tables,
        eventBusName: 'bucketflow-test',
        taskQueuePrefix: connection.taskQueuePrefix,
        taskQueueMaxReceiveCount: 5,
      },
      localClients(),
      { eventPublisher: { publishBatchReady: async () => {} } },
    );
    return createTaskReconcileHandler(runtime);
  }

  it('completes a task on a second runner after the first is killed with SIGKILL mid-task', async () => {
    // Prepare
    const { client, markerDir } = fixture;
    const cluster = (await client.clusters.create('crash')).slug;
    const first = fixture.startRunner({ cluster, runnerId: 'crash-runner-a' });
    const job = await client.jobs.submit(
      'crash',
      new BlockingStep({ dir: markerDir, step: 'crash' }),
      { cluster },
    );
    await waitUntil(
      () => existsSync(join(markerDir, 'crash.crash-runner-a.started')),
      'runner A to start the task',
    );
    first.child.kill('SIGKILL');
    const killed = await first.exited;
    const [held] = await client.jobs.tasks(job.jobId);
    await writeFile(releaseMarker(markerDir, 'crash'), '');
    const killedAt = Date.now();

    // Act
    const reconcileTick = reconcile();
    let expired = 0;
    await waitUntil(
      async () => {
        expired += (await reconcileTick()).expired;
        return expired > 0;
      },
      'reconcile to find the expired lease',
      PROCESS_LEASE_MS + 15_000,
    );
    const requeuedAfterMs = Date.now() - killedAt;
    const [requeued] = await client.jobs.tasks(job.jobId);
    const second = fixture.startRunner({ cluster, runnerId: 'crash-runner-b' });
    const done = await fixture.waitForJob(
      job.jobId,
      (found) => found.state !== 'STARTED',
      'the job to end',
    );
    second.child.kill('SIGTERM');

    // Assess
    expect(killed.signal).toBe('SIGKILL');
    expect(held).toMatchObject({ state: 'RUNNING', attempts: 1, runnerId: 'crash-runner-a' });
    expect(requeuedAfterMs).toBeLessThan(PROCESS_LEASE_MS + 15_000);
    expect(requeued).toMatchObject({ state: 'QUEUED', attempts: 1, leaseExpiries: 1 });
    expect(requeued?.lastError).toContain('lease expired');
    expect(done.state).toBe('COMPLETED');
    const [task] = await client.jobs.tasks(job.jobId);
    expect(task).toMatchObject({
      state: 'COMPUTED',
      attempts: 2,
      leaseExpiries: 1,
      completedAttempt: 2,
      runnerId: 'crash-runner-b',
    });
    expect(await markers(markerDir)).toEqual([
      'crash.crash-runner-a.started',
      'crash.crash-runner-b.finished',
      'crash.crash-runner-b.started',
    ]);
    expect((await second.exited).code).toBe(0);
  });

  it('finishes the running task on SIGTERM, starts no other and exits with 0', async () => {
    // Prepare
    const { client, markerDir } = fixture;
    const cluster = (await client.clusters.create('sigterm')).slug;
    // Two slots, so the runner is polling for more work while the first task runs.
    const runner = fixture.startRunner({ cluster, runnerId: 'term-runner', concurrency: 2 });
    const long = await client.jobs.submit(
      'long',
      new BlockingStep({ dir: markerDir, step: 'term-long' }),
      { cluster },
    );
    await waitUntil(
      () => existsSync(join(markerDir, 'term-long.term-runner.started')),
      'the runner to start the long task',
    );

    // Act
    runner.child.kill('SIGTERM');
    await runner.waitForLine((line) => line.message === 'runner stopping', 'the stop notice');
    const next = await client.jobs.submit(
      'next',
      new QuickStep({ dir: markerDir, step: 'term-next' }),
      { cluster },
    );
    // Longer than one poll (1 s) and than a heartbeat period: a runner still polling would take it.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const aliveWhileRunning = runner.running;
    await writeFile(releaseMarker(markerDir, 'term-long'), '');
    const exit = await runner.exited;

    // Assess
    expect(aliveWhileRunning).toBe(true);
    expect(exit).toEqual({ code: 0, signal: null });
    expect((await client.jobs.find(long.jobId))?.state).toBe('COMPLETED');
    const [waiting] = await client.jobs.tasks(next.jobId);
    expect(waiting).toMatchObject({ state: 'QUEUED', attempts: 0 });
    expect(await markers(markerDir)).not.toContain('term-next.term-runner.started');
    const stopped = runner.lines.find((line) => line.message === 'runner stopped');
    expect(stopped?.summary).toMatchObject({ computed: 1 });
    // The message is visible to other runners at once (not hidden by an abandoned long poll).
    const summary = await client
      .runner({ cluster, tasks: PROCESS_TASKS, logSink: () => {} })
      .runAll({ signal: AbortSignal.timeout(20_000) });
    expect(summary.computed).toBe(1);
    expect((await client.jobs.find(next.jobId))?.state).toBe('COMPLETED');
  });

  it('logs one line per task start and finish with ids, identifier, duration and outcome', async () => {
    // Prepare
    const { client, markerDir } = fixture;
    const cluster = (await client.clusters.create('logs')).slug;
    const runner = fixture.startRunner({ cluster, runnerId: 'log-runner' });
    const job = await client.jobs.submit(
      'logged',
      new QuickStep({ dir: markerDir, step: 'logged' }),
      { cluster },
    );

    // Act
    const finished = await runner.waitForLine(
      (line) => line.message === 'task finished',
      'the task to finish',
    );
    runner.child.kill('SIGTERM');
    await runner.exited;

    // Assess
    const [task] = await client.jobs.tasks(job.jobId);
    const expected = {
      runnerId: 'log-runner',
      jobId: job.jobId,
      taskId: task?.taskId,
      identifier: 'process/QuickStep@v1.0',
      attempt: 1,
    };
    const started = runner.lines.filter((line) => line.message === 'task started');
    expect(started).toEqual([expect.objectContaining({ ...expected, level: 'INFO' })]);
    expect(finished).toMatchObject({
      ...expected,
      level: 'INFO',
      outcome: 'computed',
      state: 'COMPUTED',
    });
    expect(finished.durationMs).toEqual(expect.any(Number));
    expect(runner.lines.filter((line) => line.message === 'task finished')).toHaveLength(1);
  });
});
