import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BilledUnits, DynamoDbItemLedger } from '../../../bench/dynamodb-item-ledger.js';
import { AwsBilling } from '../../../bench/support/aws-billing.js';
import { jobsTable } from '../../../lambdas/adapters/aws/dynamodb/tables/jobs-table.js';
import { DynamoDbJobStore } from '../../../lambdas/adapters/aws/job-store/dynamodb-job-store.js';
import type { TaskMessage } from '../../../lambdas/core/ports/task-queue.js';
import { localClients } from '../support/local-aws.js';
import { createFixture, type JobStoreFixture, run, spec } from './job-store-fixture.js';

/** A store on the same table whose process "crashes" at the first write after a commit. */
function crashingStore(fixture: JobStoreFixture): DynamoDbJobStore {
  const client = localClients().dynamodb;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'UpdateItemCommand') throw new Error('process crashed');
      return next(args);
    },
    { step: 'initialize', name: 'crashAfterCommit' },
  );
  return new DynamoDbJobStore({ client, tableName: fixture.tableName, clock: () => fixture.now });
}

describe('DynamoDbJobStore recovery', () => {
  let fixture: JobStoreFixture;
  beforeAll(async () => {
    fixture = await createFixture();
  });
  afterAll(() => fixture.clients.dynamodb.destroy());

  /** The job's COMPUTED tasks still in the due index: completions whose releases may not be done. */
  async function pendingOf(jobId: string) {
    const due = await fixture.store.findDueTasks(Number.MAX_SAFE_INTEGER, 1000);
    return due.filter((task) => task.jobId === jobId && task.state === 'COMPUTED');
  }

  it('redoes the releases of a completion that crashed after its commit', async () => {
    // Prepare
    const { runnable } = await fixture.store.submit({ name: 'crash', root: spec('Root') });
    const batch = await run(fixture.store, runnable[0] as TaskMessage, [
      spec('First'),
      spec('Second', { dependsOn: [0] }),
    ]);
    const first = batch.runnable[0] as TaskMessage;
    const claim = await fixture.store.claim({ ...first, runnerId: 'runner-1' });
    if (!claim.claimed) throw new Error('claim refused');
    await expect(crashingStore(fixture).complete({ ...claim.lease })).rejects.toThrow(
      'process crashed',
    );
    fixture.now += 60_000;

    // Act
    const pending = await pendingOf(first.jobId);
    const released = await fixture.store.resumeReleases(first.jobId, first.taskId);
    const again = await fixture.store.resumeReleases(first.jobId, first.taskId);

    // Assess
    expect(pending.map((task) => [task.taskId, task.state])).toEqual([[first.taskId, 'COMPUTED']]);
    expect(released.map((dispatch) => dispatch.taskId)).toEqual([batch.subtaskIds[1]]);
    expect(again).toEqual([]);
    expect(await pendingOf(first.jobId)).toEqual([]);
  });

  it('bills at most 10 write units for a single-task job and needs at most 4 requests on the runner path', async () => {
    // Prepare
    const client = localClients().dynamodb;
    const tables = new Map([[fixture.tableName, jobsTable]]);
    const ledger = new DynamoDbItemLedger({
      billing: new AwsBilling(localClients().dynamodb, tables),
    }).attach(client);
    const store = new DynamoDbJobStore({
      client,
      tableName: fixture.tableName,
      clock: () => fixture.now,
    });
    // The store's first job of a day also writes the day's marker: not part of a job's cost.
    await store.submit({ name: 'warm-up', root: spec('Leaf') });
    const phases: Record<string, BilledUnits> = {};
    const measure = async <T>(phase: string, act: () => Promise<T>): Promise<T> => {
      ledger.reset();
      const result = await act();
      phases[phase] = ledger.billedUnits();
      return result;
    };

    // Act
    const submitted = await measure('submit', () =>
      store.submit({
        name: 'cost',
        root: spec('Leaf', { input: { key: 'photos/2025/01/15/a.jpg' } }),
        idempotencyKey: 'storage:01JCOST:photos:photos/2025/01/15/a.jpg:0055AED6DCD90281E5',
      }),
    );
    const dispatch = submitted.runnable[0] as TaskMessage;
    const claim = await measure('claim', () => store.claim({ ...dispatch, runnerId: 'r' }));
    if (!claim.claimed) throw new Error('claim refused');
    await measure('complete', () => store.complete({ ...claim.lease }));

    // Assess
    const total = (field: keyof BilledUnits) =>
      Object.values(phases).reduce((sum, phase) => sum + phase[field], 0);
    expect(total('awsWriteUnits')).toBeLessThanOrEqual(10);
    expect((phases.claim?.requests ?? 0) + (phases.complete?.requests ?? 0)).toBeLessThanOrEqual(4);
    expect(phases.submit?.requests).toBe(2);
    expect(claim.task).toMatchObject({ taskId: dispatch.taskId, state: 'RUNNING' });
    expect((await store.getJob(dispatch.jobId)).state).toBe('COMPLETED');
    client.destroy();
  });
});
