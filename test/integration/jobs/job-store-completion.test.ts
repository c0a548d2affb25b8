import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TooManySubtasksError } from '../../../lambdas/core/jobs/errors.js';
import { MAX_SUBTASKS_PER_TASK } from '../../../lambdas/core/jobs/task-spec.js';
import { LeaseLostError } from '../../../lambdas/core/ports/job-store.js';
import type { TaskMessage } from '../../../lambdas/core/ports/task-queue.js';
import { createFixture, type JobStoreFixture, run, spec } from './job-store-fixture.js';

describe('DynamoDbJobStore complete', () => {
  let fixture: JobStoreFixture;
  beforeAll(async () => {
    fixture = await createFixture();
  });
  afterAll(() => fixture.clients.dynamodb.destroy());

  async function submitRoot(name: string): Promise<TaskMessage> {
    const { runnable } = await fixture.store.submit({ name, root: spec('Root') });
    if (!runnable[0]) throw new Error('no root dispatch');
    return runnable[0];
  }

  it('writes 5 subtasks and returns all 5 as runnable', async () => {
    // Prepare
    const root = await submitRoot('fan-out');
    const subtasks = Array.from({ length: 5 }, (_, index) => spec(`Part${index}`));

    // Act
    const result = await run(fixture.store, root, subtasks);

    // Assess
    expect(result.subtaskIds).toHaveLength(5);
    expect(result.runnable.map((dispatch) => dispatch.taskId)).toEqual(result.subtaskIds);
    expect(result.runnable.every((dispatch) => dispatch.attempt === 1)).toBe(true);
    const tasks = await fixture.store.listTasks(root.jobId);
    expect(tasks.map((task) => task.display)).toEqual([
      'Root',
      'Part0',
      'Part1',
      'Part2',
      'Part3',
      'Part4',
    ]);
    expect(tasks.slice(1).every((task) => task.parentId === root.taskId && task.runnable)).toBe(
      true,
    );
    expect(await fixture.store.getJob(root.jobId)).toMatchObject({
      state: 'STARTED',
      taskCount: 6,
      counts: { QUEUED: 5, RUNNING: 0, COMPUTED: 1 },
    });
  });

  it('releases dependents only after the task they wait for and all its subtasks are computed', async () => {
    // Prepare: NewsWorkflow submits FetchNews, then PrintHeadlines and MostFrequentAuthors depending on it.
    const root = await submitRoot('news');
    const workflow = await run(fixture.store, root, [
      spec('FetchNews'),
      spec('PrintHeadlines', { dependsOn: [0] }),
      spec('MostFrequentAuthors', { dependsOn: [0] }),
    ]);
    const [fetchId, headlinesId, authorsId] = workflow.subtaskIds;
    const fetch = workflow.runnable[0] as TaskMessage;

    // Act
    const afterFetch = await run(fixture.store, fetch, [spec('FetchPage'), spec('FetchPage')]);
    const [page1, page2] = afterFetch.runnable as [TaskMessage, TaskMessage];
    const afterPage1 = await run(fixture.store, page1);
    const afterPage2 = await run(fixture.store, page2);

    // Assess
    expect(workflow.runnable.map((dispatch) => dispatch.taskId)).toEqual([fetchId]);
    expect(afterFetch.runnable).toHaveLength(2);
    expect(afterPage1.runnable).toEqual([]);
    expect(afterPage2.runnable.map((dispatch) => dispatch.taskId).sort()).toEqual(
      [headlinesId, authorsId].sort(),
    );
    expect((await fixture.store.getTask(root.jobId, fetchId as string)).state).toBe('COMPUTED');
    for (const dispatch of afterPage2.runnable) await run(fixture.store, dispatch);
    expect(await fixture.store.getJob(root.jobId)).toMatchObject({
      state: 'COMPLETED',
      taskCount: 6,
      counts: { COMPUTED: 6, QUEUED: 0, RUNNING: 0 },
    });
    // Every task settled and released: none is left for the reconciler.
    const due = await fixture.store.findDueTasks(Number.MAX_SAFE_INTEGER, 1000);
    expect(due.filter((task) => task.jobId === root.jobId)).toEqual([]);
  });

  it('releases a dependent once when the tasks it waits for complete concurrently', async () => {
    // Prepare
    const root = await submitRoot('join');
    const batch = await run(fixture.store, root, [
      spec('A'),
      spec('B'),
      spec('C'),
      spec('Join', { dependsOn: [0, 1, 2] }),
    ]);

    // Act
    const results = await Promise.all(
      batch.runnable.map((dispatch, index) => run(fixture.store, dispatch, [], `runner-${index}`)),
    );

    // Assess
    const released = results.flatMap((result) =>
      result.runnable.map((dispatch) => dispatch.taskId),
    );
    expect(released).toEqual([batch.subtaskIds[3]]);
  });

  it('accepts 64 subtasks in one completion and rejects 65', async () => {
    // Prepare
    const root = await submitRoot('limit');
    const claim = await fixture.store.claim({ ...root, runnerId: 'runner-1' });
    if (!claim.claimed) throw new Error('claim refused');
    const many = (count: number) =>
      Array.from({ length: count }, (_, index) => spec(`Tile${index}`));

    // Act
    const tooMany = fixture.store.complete({
      ...claim.lease,
      subtasks: many(MAX_SUBTASKS_PER_TASK + 1),
    });
    await expect(tooMany).rejects.toThrow(TooManySubtasksError);
    const result = await fixture.store.complete({
      ...claim.lease,
      subtasks: many(MAX_SUBTASKS_PER_TASK),
    });

    // Assess
    expect(result.runnable).toHaveLength(64);
    expect((await fixture.store.getTask(root.jobId, root.taskId)).state).toBe('COMPUTED');
    expect(await fixture.store.getJob(root.jobId)).toMatchObject({
      taskCount: 65,
      counts: { QUEUED: 64 },
    });
  });

  it('answers a repeated completion of the same attempt without writing again', async () => {
    // Prepare
    const root = await submitRoot('repeat');
    const claim = await fixture.store.claim({ ...root, runnerId: 'runner-1' });
    if (!claim.claimed) throw new Error('claim refused');
    await fixture.store.complete({ ...claim.lease, subtasks: [spec('Child')] });

    // Act
    const again = await fixture.store.complete({ ...claim.lease, subtasks: [spec('Child')] });
    const other = fixture.store.complete({ ...claim.lease, runnerId: 'runner-2' });

    // Assess
    expect(again).toEqual({ subtaskIds: [], runnable: [], alreadyCompleted: true });
    await expect(other).rejects.toThrow(LeaseLostError);
    expect(await fixture.store.listTasks(root.jobId)).toHaveLength(2);
  });
});
