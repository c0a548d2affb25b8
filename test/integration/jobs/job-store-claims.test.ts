import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taskIdentifier } from '../../../lambdas/core/jobs/task-identifier.js';
import { LeaseLostError } from '../../../lambdas/core/ports/job-store.js';
import { createFixture, type JobStoreFixture, spec } from './job-store-fixture.js';

describe('DynamoDbJobStore claim', () => {
  let fixture: JobStoreFixture;
  beforeAll(async () => {
    fixture = await createFixture({ leaseMs: 60_000 });
  });
  afterAll(() => fixture.clients.dynamodb.destroy());

  it('lets exactly one of 10 racing claimers win', async () => {
    // Prepare
    const { job, runnable } = await fixture.store.submit({ name: 'race', root: spec('Work') });
    const dispatch = runnable[0];
    if (!dispatch) throw new Error('no root dispatch');

    // Act
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        fixture.store.claim({ ...dispatch, runnerId: `runner-${index}` }),
      ),
    );

    // Assess
    const winners = results.filter((result) => result.claimed);
    expect(winners).toHaveLength(1);
    expect(results.filter((result) => !result.claimed && result.reason === 'stale')).toHaveLength(
      9,
    );
    const task = await fixture.store.getTask(job.jobId, dispatch.taskId);
    const winner = winners[0];
    expect(winner?.claimed && task.runnerId === winner.lease.runnerId).toBe(true);
    expect(task).toMatchObject({
      state: 'RUNNING',
      attempts: 1,
      leaseExpiresAt: fixture.now + 60_000,
    });
    expect(await fixture.store.getJob(job.jobId)).toMatchObject({
      state: 'STARTED',
      started: true,
      counts: { QUEUED: 0, RUNNING: 1 },
    });
  });

  it('refuses a runner whose identifier version cannot run the task', async () => {
    // Prepare
    const { runnable } = await fixture.store.submit({
      name: 'versions',
      root: { identifier: taskIdentifier('Resize', 'v1.3'), input: {} },
    });
    const dispatch = runnable[0];
    if (!dispatch) throw new Error('no root dispatch');

    // Act
    const older = await fixture.store.claim({
      ...dispatch,
      runnerId: 'old',
      compatibleWith: taskIdentifier('Resize', 'v1.2'),
    });
    const major = await fixture.store.claim({
      ...dispatch,
      runnerId: 'next-major',
      compatibleWith: taskIdentifier('Resize', 'v2.5'),
    });
    const newer = await fixture.store.claim({
      ...dispatch,
      runnerId: 'new',
      compatibleWith: taskIdentifier('Resize', 'v1.5'),
    });

    // Assess
    expect(older).toEqual({ claimed: false, reason: 'incompatible' });
    expect(major).toEqual({ claimed: false, reason: 'incompatible' });
    expect(newer.claimed).toBe(true);
  });

  it('refuses a message for an attempt that already ran', async () => {
    // Prepare
    const { runnable } = await fixture.store.submit({ name: 'stale', root: spec('Work') });
    const dispatch = runnable[0];
    if (!dispatch) throw new Error('no root dispatch');
    await fixture.store.claim({ ...dispatch, runnerId: 'first' });

    // Act
    const duplicate = await fixture.store.claim({ ...dispatch, runnerId: 'second' });

    // Assess
    expect(duplicate).toEqual({ claimed: false, reason: 'stale' });
  });

  it('extends the lease on heartbeat and reports a lost lease', async () => {
    // Prepare
    const { runnable } = await fixture.store.submit({ name: 'beat', root: spec('Work') });
    const dispatch = runnable[0];
    if (!dispatch) throw new Error('no root dispatch');
    const claim = await fixture.store.claim({ ...dispatch, runnerId: 'runner-a' });
    if (!claim.claimed) throw new Error('claim refused');
    fixture.now += 30_000;

    // Act
    const extended = await fixture.store.heartbeat(claim.lease);
    // Settled into a value right away: a rejection left unobserved across the awaits below
    // would be reported as unhandled.
    const intruder = fixture.store.heartbeat({ ...claim.lease, runnerId: 'runner-b' }).then(
      () => undefined,
      (error: unknown) => error,
    );

    // Assess
    expect(extended).toBe(fixture.now + 60_000);
    expect((await fixture.store.getTask(dispatch.jobId, dispatch.taskId)).leaseExpiresAt).toBe(
      extended,
    );
    const error = await intruder;
    expect(error).toBeInstanceOf(LeaseLostError);
    expect((error as Error).message).toMatch(/runner runner-a holds it/);
  });
});
