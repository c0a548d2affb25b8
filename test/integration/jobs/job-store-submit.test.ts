import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_IDEMPOTENCY_TTL_SECONDS } from '../../../lambdas/adapters/aws/job-store/dynamodb-job-store.js';
import { InvalidTaskSpecError } from '../../../lambdas/core/jobs/errors.js';
import { InvalidJobQueryError, JobNotFoundError } from '../../../lambdas/core/ports/job-store.js';
import { createFixture, type JobStoreFixture, START, spec } from './job-store-fixture.js';

describe('DynamoDbJobStore submit', () => {
  let fixture: JobStoreFixture;
  beforeAll(async () => {
    fixture = await createFixture();
  });
  afterAll(() => fixture.clients.dynamodb.destroy());

  it('writes the job and its root task and returns the root to dispatch', async () => {
    // Prepare
    const { store } = fixture;

    // Act
    const result = await store.submit({
      name: 'thumbnails',
      root: spec('Resize', { cluster: 'gpu' }),
      automationId: 'auto-1',
      trigger: { bucket: 'photos', key: 'a.tif' },
    });

    // Assess
    expect(result.created).toBe(true);
    expect(result.job).toMatchObject({
      name: 'thumbnails',
      state: 'QUEUED',
      cluster: 'gpu',
      automationId: 'auto-1',
      triggerJson: '{"bucket":"photos","key":"a.tif"}',
      taskCount: 1,
      counts: { QUEUED: 1, RUNNING: 0, COMPUTED: 0, FAILED: 0, CANCELLED: 0 },
    });
    const tasks = await store.listTasks(result.job.jobId);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({
      state: 'QUEUED',
      runnable: true,
      cluster: 'gpu',
      attempts: 0,
    });
    expect(result.runnable).toEqual([
      {
        jobId: result.job.jobId,
        taskId: tasks[0]?.taskId,
        attempt: 1,
        cluster: 'gpu',
        identifier: { name: 'Resize', version: 'v1.0' },
        notBefore: 0,
      },
    ]);
    expect(await store.getJob(result.job.jobId)).toEqual(result.job);
  });

  it('writes a job with several root tasks, the dependent one waiting for the others', async () => {
    // Prepare
    const { store } = fixture;

    // Act
    const result = await store.submit({
      name: 'two roots and a join',
      roots: [spec('Fetch'), spec('Fetch'), spec('Join', { dependsOn: [0, 1] })],
    });

    // Assess
    const tasks = await store.listTasks(result.job.jobId);
    expect(result.job).toMatchObject({ taskCount: 3, counts: { QUEUED: 3 } });
    expect(result.job.rootTaskIds).toEqual(tasks.map((task) => task.taskId));
    expect(tasks.map((task) => [task.identifier.name, task.runnable, task.parentId])).toEqual([
      ['Fetch', true, null],
      ['Fetch', true, null],
      ['Join', false, null],
    ]);
    expect(result.runnable.map((dispatch) => dispatch.taskId)).toEqual(
      result.job.rootTaskIds.slice(0, 2),
    );
  });

  it('returns the first job when a submit repeats its idempotency key', async () => {
    // Prepare
    const key = 'storage:auto-1:photos:a.tif:0055AED6DCD90281E5';
    const first = await fixture.store.submit({
      name: 'a',
      root: spec('Resize'),
      idempotencyKey: key,
    });

    // Act
    const second = await fixture.store.submit({
      name: 'a',
      root: spec('Resize'),
      idempotencyKey: key,
    });

    // Assess
    expect(first.created).toBe(true);
    expect(second).toMatchObject({ created: false, runnable: [] });
    expect(second.job.jobId).toBe(first.job.jobId);
    expect(second.job.idempotencyKey).toBe(key);
  });

  it('creates exactly one job when 10 submits race with one key', async () => {
    // Prepare
    const key = `cron:auto-2:${START}`;

    // Act
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        fixture.store.submit({ name: 'cron', root: spec('Tick'), idempotencyKey: key }),
      ),
    );

    // Assess
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(new Set(results.map((result) => result.job.jobId)).size).toBe(1);
    const page = await fixture.store.queryJobs({ from: START, to: START + 1 });
    expect(page.jobs.filter((job) => job.idempotencyKey === key)).toHaveLength(1);
  });

  it('treats an expired idempotency record as absent', async () => {
    // Prepare
    const key = 'batch:01JBATCH';
    const first = await fixture.store.submit({
      name: 'b',
      root: spec('Batch'),
      idempotencyKey: key,
    });
    fixture.now += DEFAULT_IDEMPOTENCY_TTL_SECONDS * 1000;

    // Act
    const later = await fixture.store.submit({
      name: 'b',
      root: spec('Batch'),
      idempotencyKey: key,
    });

    // Assess
    fixture.now = START;
    expect(later.created).toBe(true);
    expect(later.job.jobId).not.toBe(first.job.jobId);
  });

  it('rejects an invalid root task before writing anything', async () => {
    // Act
    const submit = fixture.store.submit({ name: 'bad', root: spec('Resize', { maxRetries: -1 }) });

    // Assess
    await expect(submit).rejects.toThrow(InvalidTaskSpecError);
    await expect(submit).rejects.toThrow(/root\[0\]\.maxRetries/);
  });

  it('throws JobNotFoundError for an unknown job', async () => {
    await expect(fixture.store.getJob('01JUNKNOWN0000000000000000')).rejects.toThrow(
      JobNotFoundError,
    );
  });
});

describe('DynamoDbJobStore queryJobs', () => {
  let fixture: JobStoreFixture;
  const created: { id: string; at: number }[] = [];
  // Two jobs each in November, December and January: the range spans three month buckets.
  const times = [
    Date.UTC(2024, 10, 20),
    Date.UTC(2024, 10, 30, 23, 59),
    Date.UTC(2024, 11, 1),
    Date.UTC(2024, 11, 31, 23, 59, 59, 999),
    Date.UTC(2025, 0, 1),
    Date.UTC(2025, 0, 2),
  ];

  beforeAll(async () => {
    fixture = await createFixture();
    for (const [index, at] of times.entries()) {
      fixture.now = at;
      const { job } = await fixture.store.submit({
        name: `job-${index}`,
        root: spec('Task'),
        automationId: index % 2 === 0 ? 'even' : 'odd',
      });
      created.push({ id: job.jobId, at });
    }
  });
  afterAll(() => fixture.clients.dynamodb.destroy());

  it('returns jobs in the range newest first, page by page', async () => {
    // Prepare
    const query = { from: times[1] as number, to: (times[5] as number) + 1, limit: 2 };
    const pages: string[][] = [];

    // Act
    let cursor: string | undefined;
    do {
      const page = await fixture.store.queryJobs({ ...query, cursor });
      pages.push(page.jobs.map((job) => job.name));
      cursor = page.nextCursor;
    } while (cursor);

    // Assess
    expect(pages.flat()).toEqual(['job-5', 'job-4', 'job-3', 'job-2', 'job-1']);
    expect(pages.every((page) => page.length <= 2)).toBe(true);
  });

  it('excludes the upper bound and filters by automation', async () => {
    // Act
    const page = await fixture.store.queryJobs({
      from: times[0] as number,
      to: times[4] as number,
      automationId: 'odd',
    });

    // Assess
    expect(page.jobs.map((job) => job.name)).toEqual(['job-3', 'job-1']);
    expect(page.nextCursor).toBeUndefined();
  });

  it('rejects a range whose end is not after its start', async () => {
    await expect(fixture.store.queryJobs({ from: START, to: START })).rejects.toThrow(
      InvalidJobQueryError,
    );
  });
});
