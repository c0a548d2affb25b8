import { beforeAll, describe, expect, it } from 'vitest';
import type { JobStore, LeaseRef } from '../../../lambdas/core/ports/job-store.js';
import { LeaseLostError } from '../../../lambdas/core/ports/job-store.js';
import { RunnerBusyError } from '../../../lambdas/sdk/errors.js';
import type { ExecutionContext } from '../../../lambdas/sdk/execution-context.js';
import { Task } from '../../../lambdas/sdk/task.js';
import { CronTask } from '../../../lambdas/sdk/trigger-tasks.js';
import type { Trigger } from '../../../lambdas/sdk/triggers.js';
import { createRunnerFixture, type RunnerFixture, uniqueCluster } from './runner-fixture.js';

const aborted: string[] = [];

class WaitForAbort extends Task<{ id: string }> {
  async execute(context: ExecutionContext) {
    await new Promise<void>((resolve) => {
      context.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    aborted.push(this.input.id);
    context.submitSubtask(new Quick({ id: 'never' }));
  }
}

class Quick extends Task<{ id: string }> {
  async execute() {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const seenTriggers: Array<{ task: string; trigger: Trigger | undefined }> = [];

class Report extends CronTask {
  execute(context: ExecutionContext) {
    seenTriggers.push({ task: 'report', trigger: context.trigger });
    context.submitSubtask(new ReportPart());
  }
}

class ReportPart extends Task {
  execute(context: ExecutionContext) {
    seenTriggers.push({ task: 'part', trigger: context.trigger });
  }
}

/** The fixture's store, but every heartbeat reports the lease as lost. */
function losingLeases(jobs: JobStore): JobStore {
  return new Proxy(jobs, {
    get(target, property, receiver) {
      if (property === 'heartbeat') {
        return async (lease: LeaseRef) => {
          throw new LeaseLostError(lease.jobId, lease.taskId, lease.attempt, 'test');
        };
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('TaskRunner', () => {
  let fixture: RunnerFixture;

  beforeAll(async () => {
    fixture = await createRunnerFixture();
  });

  it('aborts the signal and drops the result when the lease is lost', async () => {
    // Prepare
    const cluster = uniqueCluster();
    const job = await fixture.submit(new WaitForAbort({ id: cluster }), cluster);
    const runner = fixture.runner(cluster, [WaitForAbort, Quick], {
      jobs: losingLeases(fixture.jobs),
      heartbeatMs: 100,
    });

    // Act
    const summary = await fixture.runAll(runner);

    // Assess
    expect(aborted).toContain(cluster);
    expect(summary['lease-lost']).toBe(1);
    const tasks = await fixture.tasksOf(job.jobId);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]?.state).toBe('RUNNING');
  });

  it('runs tasks in runForever until stop, finishing the running task first', async () => {
    // Prepare
    const cluster = uniqueCluster();
    const runner = fixture.runner(cluster, [Quick], { waitSeconds: 1 });
    const running = runner.runForever();
    const job = await fixture.submit(new Quick({ id: 'a' }), cluster);
    const deadline = Date.now() + 20_000;
    while ((await fixture.tasksOf(job.jobId))[0]?.state === 'QUEUED' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    // Act
    await runner.stop();
    const summary = await running;

    // Assess
    expect(summary.computed).toBe(1);
    expect((await fixture.jobs.getJob(job.jobId)).state).toBe('COMPLETED');
  });

  it('stops runForever when its signal aborts', async () => {
    // Prepare
    const cluster = uniqueCluster();
    const controller = new AbortController();
    // The poll under way when the signal aborts is let finish (see runForever), so keep it short.
    const runner = fixture.runner(cluster, [Quick], { waitSeconds: 2 });
    const running = runner.runForever({ signal: controller.signal });

    // Act
    setTimeout(() => controller.abort(), 200);
    const summary = await running;

    // Assess
    expect(summary.computed).toBe(0);
  });

  it('gives every task of a triggered job the job trigger', async () => {
    // Prepare
    const cluster = uniqueCluster();
    const fireTime = new Date('2030-01-01T06:00:00.000Z');
    const root = new Report().once(fireTime);
    const submitted = await fixture.jobs.submit({
      name: 'report',
      root: root.toSpec({ cluster }),
      trigger: {
        kind: 'cron',
        fireTime: fireTime.toISOString(),
        expression: null,
        timezone: 'UTC',
      },
    });
    await fixture.queue.send(submitted.runnable);

    // Act
    await fixture.runAll(fixture.runner(cluster, [Report, ReportPart]));

    // Assess
    expect(seenTriggers.map(({ task }) => task)).toEqual(['report', 'part']);
    for (const { trigger } of seenTriggers) {
      expect(trigger).toMatchObject({ kind: 'cron', fireTime });
    }
  });

  it('refuses a second run while one is active', async () => {
    // Prepare
    const runner = fixture.runner(uniqueCluster(), [Quick], { waitSeconds: 1 });
    const running = runner.runForever();

    // Act
    const second = runner.runAll();

    // Assess
    await expect(second).rejects.toThrow(RunnerBusyError);
    await runner.stop();
    await running;
  });
});
