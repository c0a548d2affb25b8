import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredTask } from '../../../lambdas/core/ports/job-store.js';
import type { ExecutionContext } from '../../../lambdas/sdk/execution-context.js';
import { Task } from '../../../lambdas/sdk/task.js';
import {
  BlockingStep,
  markers,
  PROCESS_TASKS,
  QuickStep,
  releaseMarker,
} from './fixtures/process-tasks.js';
import { createProcessFixture, type ProcessFixture, waitUntil } from './process-fixture.js';

/**
 * A blocking step (that submits `after` when it finishes), two steps waiting
 * for it, and a step on another cluster whose message sits in its queue.
 */
class CancelRoot extends Task<{ dir: string; elsewhere: string }> {
  static override identifier = { name: 'cancel/CancelRoot', version: 'v1.0' };

  execute(context: ExecutionContext) {
    const { dir, elsewhere } = this.input;
    const running = context.submitSubtask(
      new BlockingStep({ dir, step: 'running', next: 'after' }),
    );
    context.submitSubtasks(
      [new QuickStep({ dir, step: 'waiting-1' }), new QuickStep({ dir, step: 'waiting-2' })],
      { dependsOn: [running] },
    );
    context.submitSubtask(new QuickStep({ dir, step: 'elsewhere' }), { cluster: elsewhere });
  }
}

const TASKS = [CancelRoot, ...PROCESS_TASKS];

function statesByStep(tasks: readonly StoredTask[]): Record<string, string> {
  return Object.fromEntries(
    tasks.map((task) => [
      (JSON.parse(task.inputJson) as { step?: string }).step ?? 'root',
      task.state,
    ]),
  );
}

describe('ClientJobs', () => {
  let fixture: ProcessFixture;

  beforeAll(async () => {
    fixture = await createProcessFixture();
  });

  afterAll(async () => {
    await fixture?.close();
  });

  it('cancels the queued tasks, which never run, and lets the running task finish', async () => {
    // Prepare
    const { client, markerDir } = fixture;
    const main = (await client.clusters.create('cancel-main')).slug;
    const elsewhere = (await client.clusters.create('cancel-elsewhere')).slug;
    const options = { tasks: TASKS, waitSeconds: 1, logSink: () => {} };
    // Two slots: the runner keeps polling while the blocking step runs.
    const runner = client.runner({ ...options, cluster: main, concurrency: 2 });
    const running = runner.runForever();
    try {
      const job = await client.jobs.submit(
        'doomed',
        new CancelRoot({ dir: markerDir, elsewhere }),
        {
          cluster: main,
        },
      );
      await waitUntil(
        () => existsSync(join(markerDir, 'running.in-process.started')),
        'the blocking step to start',
      );

      // Act
      const cancelled = await client.jobs.cancel(job.jobId);
      const afterCancel = statesByStep(await client.jobs.tasks(job.jobId));
      await writeFile(releaseMarker(markerDir, 'running'), '');
      await waitUntil(
        async () => statesByStep(await client.jobs.tasks(job.jobId)).running === 'COMPUTED',
        'the running step to finish',
      );
      const other = await client
        .runner({ ...options, cluster: elsewhere })
        .runAll({ signal: AbortSignal.timeout(20_000) });
      await runner.stop();
      const summary = await running;

      // Assess
      expect(cancelled.cancelled).toBe(3);
      expect(cancelled.job.state).toBe('CANCELLED');
      expect(afterCancel).toEqual({
        root: 'COMPUTED',
        running: 'RUNNING',
        'waiting-1': 'CANCELLED',
        'waiting-2': 'CANCELLED',
        elsewhere: 'CANCELLED',
      });
      // The running step's result is recorded; the subtask it submitted is written CANCELLED.
      expect(statesByStep(await client.jobs.tasks(job.jobId))).toEqual({
        ...afterCancel,
        running: 'COMPUTED',
        after: 'CANCELLED',
      });
      expect(await markers(markerDir)).toEqual([
        'running.in-process.finished',
        'running.in-process.started',
      ]);
      expect(summary.computed).toBe(2);
      expect(other).toMatchObject({ computed: 0, skipped: 1 });
      const final = await client.jobs.find(job.jobId);
      expect(final).toMatchObject({ state: 'CANCELLED', taskCount: 6 });
      expect(final?.counts).toMatchObject({ COMPUTED: 2, CANCELLED: 4, RUNNING: 0, QUEUED: 0 });
    } finally {
      await runner.stop();
      await running;
    }
  });
});
