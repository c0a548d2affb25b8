import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CHECK_AFTER_MS } from '../../../lambdas/adapters/aws/job-store/dynamodb-job-store.js';
import { MAX_LEASE_EXPIRIES } from '../../../lambdas/core/jobs/retry-policy.js';
import type { ExpiredLease } from '../../../lambdas/core/ports/job-store.js';
import { LeaseLostError } from '../../../lambdas/core/ports/job-store.js';
import type { TaskMessage } from '../../../lambdas/core/ports/task-queue.js';
import { createFixture, type JobStoreFixture, run, spec } from './job-store-fixture.js';

const LEASE_MS = 60_000;

describe('DynamoDbJobStore failures, cancel and retry', () => {
  let fixture: JobStoreFixture;
  beforeAll(async () => {
    fixture = await createFixture({ leaseMs: LEASE_MS });
  });
  afterAll(() => fixture.clients.dynamodb.destroy());

  /** RUNNING tasks the reconciler finds at `now` whose lease ended, as it hands them to requeueExpired. */
  async function expiredLeases(now: number): Promise<ExpiredLease[]> {
    const due = await fixture.store.findDueTasks(now, 1000);
    return due
      .filter((task) => task.state === 'RUNNING' && (task.leaseExpiresAt ?? 0) <= now)
      .map((task) => ({
        jobId: task.jobId,
        taskId: task.taskId,
        attempt: task.attempts,
        runnerId: task.runnerId ?? '',
        leaseExpiresAt: task.leaseExpiresAt ?? 0,
      }));
  }

  async function claimed(dispatch: TaskMessage, runnerId = 'runner-1') {
    const claim = await fixture.store.claim({ ...dispatch, runnerId });
    if (!claim.claimed) throw new Error(`claim refused: ${claim.reason}`);
    return claim.lease;
  }

  /** A job whose root submitted a task that will fail, a waiting dependent and an independent sibling. */
  async function jobWithSiblings(maxRetries: number) {
    const { runnable } = await fixture.store.submit({ name: 'siblings', root: spec('Root') });
    const batch = await run(fixture.store, runnable[0] as TaskMessage, [
      spec('Flaky', { maxRetries }),
      spec('After', { dependsOn: [0] }),
      spec('Other'),
    ]);
    const [flaky, other] = batch.runnable as [TaskMessage, TaskMessage];
    return { jobId: flaky.jobId, flaky, other, afterId: batch.subtaskIds[1] as string };
  }

  it('re-queues a failed attempt with backoff while retries remain', async () => {
    // Prepare
    const { flaky } = await jobWithSiblings(2);
    const lease = await claimed(flaky);

    // Act
    const first = await fixture.store.fail({ ...lease, error: 'timeout' });
    const early = await fixture.store.claim({
      ...(first.retry as TaskMessage),
      runnerId: 'runner-2',
    });
    fixture.now += 1000;
    const second = await fixture.store.fail({
      ...(await claimed(first.retry as TaskMessage)),
      error: 'again',
    });

    // Assess
    expect(first).toMatchObject({ state: 'QUEUED', cancelled: 0 });
    expect(first.retry).toMatchObject({ taskId: flaky.taskId, attempt: 2, notBefore: fixture.now });
    expect(early).toEqual({ claimed: false, reason: 'not-yet', notBefore: fixture.now });
    expect(second.retry).toMatchObject({ attempt: 3, notBefore: fixture.now + 2000 });
    const task = await fixture.store.getTask(flaky.jobId, flaky.taskId);
    expect(task).toMatchObject({
      state: 'QUEUED',
      retries: 2,
      attempts: 2,
      lastError: 'again',
      runnable: true,
    });
    expect((await fixture.store.getJob(flaky.jobId)).state).toBe('STARTED');
  });

  it('fails the task and the job and cancels queued tasks when no retries remain', async () => {
    // Prepare
    const { jobId, flaky, other, afterId } = await jobWithSiblings(0);
    const lease = await claimed(flaky);

    // Act
    const result = await fixture.store.fail({ ...lease, error: 'bad input' });

    // Assess
    expect(result).toEqual({ state: 'FAILED', cancelled: 2 });
    expect((await fixture.store.getTask(jobId, afterId)).state).toBe('CANCELLED');
    expect((await fixture.store.getTask(jobId, other.taskId)).state).toBe('CANCELLED');
    expect(await fixture.store.getJob(jobId)).toMatchObject({
      state: 'FAILED',
      counts: { QUEUED: 0, RUNNING: 0, COMPUTED: 1, FAILED: 1, CANCELLED: 2 },
    });
    expect(await fixture.store.claim({ ...other, runnerId: 'late' })).toMatchObject({
      claimed: false,
    });
  });

  it('cancels queued tasks and lets a running task finish without releasing new work', async () => {
    // Prepare
    const { jobId, flaky, other } = await jobWithSiblings(0);
    const running = await claimed(flaky);

    // Act
    const cancel = await fixture.store.cancelJob(jobId);
    const completion = await fixture.store.complete({ ...running, subtasks: [spec('Late')] });
    const claimAfter = await fixture.store.claim({ ...other, runnerId: 'late' });

    // Assess
    expect(cancel.cancelled).toBe(2);
    expect(cancel.job.state).toBe('CANCELLED');
    expect(completion.runnable).toEqual([]);
    expect((await fixture.store.getTask(jobId, completion.subtaskIds[0] as string)).state).toBe(
      'CANCELLED',
    );
    expect(claimAfter).toMatchObject({ claimed: false });
    expect(await fixture.store.getJob(jobId)).toMatchObject({
      state: 'CANCELLED',
      counts: { QUEUED: 0, RUNNING: 0, COMPUTED: 2, CANCELLED: 3 },
    });
  });

  it('re-queues only failed and cancelled tasks on a job retry and keeps computed work', async () => {
    // Prepare
    const { jobId, flaky, other, afterId } = await jobWithSiblings(0);
    await fixture.store.fail({ ...(await claimed(flaky)), error: 'boom' });

    // Act
    const retry = await fixture.store.retryJob(jobId);

    // Assess
    expect(retry.requeued).toBe(3);
    // The dependent waits for Flaky again; Flaky and Other run at once, as new attempts.
    expect(retry.runnable.map((dispatch) => [dispatch.taskId, dispatch.attempt]).sort()).toEqual(
      [
        [flaky.taskId, 2],
        [other.taskId, 1],
      ].sort(),
    );
    expect(retry.job).toMatchObject({
      state: 'STARTED',
      counts: { QUEUED: 3, COMPUTED: 1, FAILED: 0 },
    });
    const flakyTask = await fixture.store.getTask(jobId, flaky.taskId);
    expect(flakyTask).toMatchObject({
      state: 'QUEUED',
      retries: 0,
      leaseExpiries: 0,
      runnable: true,
    });
    expect((await fixture.store.getTask(jobId, afterId)).runnable).toBe(false);
    // Finishing the job after the retry releases the dependent and completes the job.
    const released = await run(
      fixture.store,
      retry.runnable.find((d) => d.taskId === flaky.taskId) as TaskMessage,
    );
    expect(released.runnable.map((dispatch) => dispatch.taskId)).toEqual([afterId]);
    await run(fixture.store, released.runnable[0] as TaskMessage);
    await run(fixture.store, retry.runnable.find((d) => d.taskId === other.taskId) as TaskMessage);
    expect((await fixture.store.getJob(jobId)).state).toBe('COMPLETED');
  });

  it('re-queues a task whose lease expired, up to 10 times, then fails it and its job', async () => {
    // Prepare
    const { runnable } = await fixture.store.submit({ name: 'crashy', root: spec('Crash') });
    let dispatch = runnable[0] as TaskMessage;
    const outcomes: string[] = [];

    // Act
    for (let expiry = 1; expiry <= MAX_LEASE_EXPIRIES + 1; expiry++) {
      await claimed(dispatch, `runner-${expiry}`);
      // The reconciler looks at a task at its due time, at the earliest when the lease ends.
      fixture.now += Math.max(LEASE_MS, DEFAULT_CHECK_AFTER_MS) + 1;
      const expired = (await expiredLeases(fixture.now)).filter(
        (lease) => lease.taskId === dispatch.taskId,
      );
      expect(expired).toHaveLength(1);
      const result = await fixture.store.requeueExpired(expired[0] as (typeof expired)[number]);
      if (!result.requeued) throw new Error(`not requeued: ${result.reason}`);
      outcomes.push(result.state);
      if (result.retry) dispatch = result.retry;
    }

    // Assess
    expect(outcomes).toEqual([...Array(MAX_LEASE_EXPIRIES).fill('QUEUED'), 'FAILED']);
    const task = await fixture.store.getTask(dispatch.jobId, dispatch.taskId);
    expect(task).toMatchObject({ state: 'FAILED', leaseExpiries: 11, attempts: 11 });
    expect((await fixture.store.getJob(dispatch.jobId)).state).toBe('FAILED');
    expect((await expiredLeases(fixture.now)).some((l) => l.taskId === dispatch.taskId)).toBe(
      false,
    );
  });

  it('leaves a renewed lease alone and rejects the old runner after a requeue', async () => {
    // Prepare
    const { runnable } = await fixture.store.submit({ name: 'renewed', root: spec('Slow') });
    const lease = await claimed(runnable[0] as TaskMessage);
    fixture.now += Math.max(LEASE_MS, DEFAULT_CHECK_AFTER_MS) + 1;
    const [expired] = (await expiredLeases(fixture.now)).filter(
      (found) => found.taskId === lease.taskId,
    );
    if (!expired) throw new Error('lease not found');

    // Act
    await fixture.store.heartbeat(lease);
    const skipped = await fixture.store.requeueExpired(expired);
    fixture.now += LEASE_MS + 1;
    const requeued = await fixture.store.requeueExpired({
      ...expired,
      leaseExpiresAt: fixture.now,
    });
    const late = fixture.store.complete({ ...lease, subtasks: [] });

    // Assess
    expect(skipped).toEqual({ requeued: false, reason: 'renewed' });
    expect(requeued).toMatchObject({ requeued: true, state: 'QUEUED' });
    await expect(late).rejects.toThrow(LeaseLostError);
  });

  it('finds a runnable task at its due time until the look is deferred or the task claimed', async () => {
    // Prepare
    const { runnable } = await fixture.store.submit({ name: 'lost', root: spec('Lost') });
    const dispatch = runnable[0] as TaskMessage;
    const early = (await fixture.store.findDueTasks(fixture.now, 1000)).filter(
      (task) => task.taskId === dispatch.taskId,
    );
    fixture.now += DEFAULT_CHECK_AFTER_MS;

    // Act
    const [found] = (await fixture.store.findDueTasks(fixture.now, 1000)).filter(
      (task) => task.taskId === dispatch.taskId,
    );
    if (!found) throw new Error('the task is not due');
    const deferred = await fixture.store.deferDue(found, fixture.now + 60 * 60_000);
    const again = (await fixture.store.findDueTasks(fixture.now, 1000)).filter(
      (task) => task.taskId === dispatch.taskId,
    );
    await claimed(dispatch);
    const afterClaim = await fixture.store.deferDue(found, fixture.now);

    // Assess
    expect(early).toEqual([]);
    expect(found).toMatchObject({ state: 'QUEUED', runnable: true, attempts: 0 });
    expect(deferred).toBe(true);
    expect(again).toEqual([]);
    expect(afterClaim).toBe(false);
  });
});
