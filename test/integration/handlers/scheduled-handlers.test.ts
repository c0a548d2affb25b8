import { beforeAll, describe, expect, it } from 'vitest';
import { createBatchSweepHandler } from '../../../lambdas/handlers/batch-sweep.js';
import { createCronTickHandler } from '../../../lambdas/handlers/cron-tick.js';
import { createS3IngestHandler } from '../../../lambdas/handlers/s3-ingest.js';
import { createTaskReconcileHandler } from '../../../lambdas/handlers/task-reconcile.js';
import { objectCreatedEvent } from '../../support/s3-event-factories.js';
import { testClock } from '../../support/test-clock.js';
import { createTestRuntime, sqsEvent, type TestRuntime } from '../support/handler-runtime.js';

const BUCKET = 'scheduled-bucket';
const MINUTE = 60_000;
const clock = testClock('2026-11-23T08:00:00Z');

describe('scheduled handlers', () => {
  let env: TestRuntime;

  beforeAll(async () => {
    env = await createTestRuntime({ clock });
    const { automations } = env.runtime;
    await automations.registerLocation({ name: 'sched', kind: 's3', bucket: BUCKET });
    await automations.create({
      name: 'quiet-batches',
      task: { identifier: { name: 'PackageBatch' }, input: {} },
      triggers: { batch: { location: 'sched', prefixDepth: 1, count: 100, quietSeconds: 10 } },
    });
  });

  it('batch-sweep closes a quiet batch at its deadline and submits its BatchTask job once', async () => {
    // Prepare
    const t0 = Date.parse('2026-11-23T08:00:00Z');
    clock.set(t0);
    const ingest = createS3IngestHandler(env.runtime);
    const sweep = createBatchSweepHandler(env.runtime);
    await ingest(
      sqsEvent([
        objectCreatedEvent({
          bucket: BUCKET,
          key: 'in/a.csv',
          sequencer: '01',
          time: '2026-11-23T08:00:00Z',
        }),
        objectCreatedEvent({
          bucket: BUCKET,
          key: 'in/b.csv',
          sequencer: '02',
          time: '2026-11-23T08:00:05Z',
        }),
      ]),
    );

    // Act
    clock.set(t0 + 14_000);
    const early = await sweep();
    clock.set(t0 + 16_000);
    const due = await sweep();
    clock.set(t0 + 20_000);
    const again = await sweep();

    // Assess
    expect(early.closed).toBe(0);
    expect(due.closed).toBe(1);
    expect(again.closed).toBe(0);
    const batch = env.published.find((b) => b.prefix === 'in/');
    expect(batch).toMatchObject({
      reason: 'quiet',
      count: 2,
      closedAt: Date.parse('2026-11-23T08:00:15Z'),
    });
    expect(batch?.keys).toEqual(['in/a.csv', 'in/b.csv']);
  });

  it('cron-tick submits exactly one job per fire time even when ticks overlap', async () => {
    // Prepare: created at 08:59:30, a first tick at 09:01 fires 09:00 and sets the cursor;
    // 40 minutes later two ticks race.
    clock.set(Date.parse('2026-11-23T08:59:30Z'));
    const cron = await env.runtime.automations.create({
      name: 'every-15-minutes',
      task: { identifier: { name: 'Report' }, input: {} },
      triggers: { cron: [{ expression: '*/15 * * * *', catchUp: 'all' }] },
    });
    const cronAutomationId = cron.id;
    const start = Date.parse('2026-11-23T09:01:00Z');
    clock.set(start);
    await createCronTickHandler(env.runtime)();
    clock.advance(40 * MINUTE);

    // Act
    const results = await Promise.all([
      createCronTickHandler(env.runtime)(),
      createCronTickHandler(env.runtime)(),
    ]);

    // Assess: 09:15 and 09:30 fired once each, whichever tick submitted them.
    expect(results.reduce((sum, r) => sum + r.fired, 0)).toBe(2);
    const page = await env.runtime.deps.jobs.queryJobs({
      from: start,
      to: clock() + 1,
      automationId: cronAutomationId,
    });
    const fireTimes = [];
    for (const job of page.jobs) {
      const [task] = await env.runtime.deps.jobs.listTasks(job.jobId);
      fireTimes.push(JSON.parse(task?.inputJson ?? '{}').__trigger.fireTime);
    }
    expect(fireTimes.sort()).toEqual([
      '2026-11-23T09:00:00.000Z',
      '2026-11-23T09:15:00.000Z',
      '2026-11-23T09:30:00.000Z',
    ]);
  });

  it('task-reconcile re-queues a task whose runner stopped heartbeating', async () => {
    // Prepare
    const { jobs } = env.runtime.deps;
    const submitted = await jobs.submit({
      name: 'crashy',
      root: { identifier: { name: 'Work', version: 'v0.0' }, input: {} },
    });
    const [dispatch] = submitted.runnable;
    if (!dispatch) throw new Error('no runnable root task');
    const claim = await jobs.claim({ ...dispatch, runnerId: 'runner-that-dies', leaseMs: 1_000 });
    expect(claim.claimed).toBe(true);
    clock.advance(1_001);

    // Act
    const result = await createTaskReconcileHandler(env.runtime)();

    // Assess
    expect(result.expired).toBeGreaterThanOrEqual(1);
    const task = await jobs.getTask(dispatch.jobId, dispatch.taskId);
    expect(task.state).toBe('QUEUED');
    expect(task.leaseExpiries).toBe(1);
  });
});
