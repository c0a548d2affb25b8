import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbJobStore } from '../../../lambdas/adapters/aws/dynamodb-job-store.js';
import { RequestAccounting } from '../../../lambdas/adapters/aws/request-accounting.js';
import type { TaskDispatch } from '../../../lambdas/core/ports/job-store.js';
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

  it('redoes the releases of a completion that crashed after its commit', async () => {
    // Prepare
    const { runnable } = await fixture.store.submit({ name: 'crash', root: spec('Root') });
    const batch = await run(fixture.store, runnable[0] as TaskDispatch, [
      spec('First'),
      spec('Second', { dependsOn: [0] }),
    ]);
    const first = batch.runnable[0] as TaskDispatch;
    const claim = await fixture.store.claim({ ...first, runnerId: 'runner-1' });
    if (!claim.claimed) throw new Error('claim refused');
    await expect(crashingStore(fixture).complete({ ...claim.lease })).rejects.toThrow(
      'process crashed',
    );
    fixture.now += 60_000;

    // Act
    const pending = await fixture.store.findPendingReleases(fixture.now - 30_000, 100);
    const released = await fixture.store.resumeReleases(first.jobId, first.taskId);
    const again = await fixture.store.resumeReleases(first.jobId, first.taskId);

    // Assess
    expect(pending).toEqual([
      { jobId: first.jobId, taskId: first.taskId, since: fixture.now - 60_000 },
    ]);
    expect(released.map((dispatch) => dispatch.taskId)).toEqual([batch.subtaskIds[1]]);
    expect(again).toEqual([]);
    expect(await fixture.store.findPendingReleases(fixture.now, 100)).toEqual([]);
  });

  it('reports the requests of submit, claim and complete for one task', async () => {
    // Prepare
    const accounting = new RequestAccounting().attach({ dynamodb: fixture.clients.dynamodb });
    const phases: Record<string, Record<string, number>> = {};
    const measure = async <T>(phase: string, act: () => Promise<T>): Promise<T> => {
      accounting.reset();
      const result = await act();
      const snapshot = accounting.snapshot();
      phases[phase] = Object.fromEntries(
        Object.entries(snapshot).map(([operation, count]) => [operation, count.requests]),
      );
      phases[phase].writeUnits = accounting.writeUnits();
      phases[phase].readUnits = accounting.readUnits();
      return result;
    };

    // Act
    const submitted = await measure('submit (with idempotency key)', () =>
      fixture.store.submit({ name: 'cost', root: spec('Leaf'), idempotencyKey: 'cost:1' }),
    );
    const dispatch = submitted.runnable[0] as TaskDispatch;
    await measure('getTask (runner checks the identifier)', () =>
      fixture.store.getTask(dispatch.jobId, dispatch.taskId),
    );
    const claim = await measure('claim', () => fixture.store.claim({ ...dispatch, runnerId: 'r' }));
    if (!claim.claimed) throw new Error('claim refused');
    await measure('heartbeat', () => fixture.store.heartbeat(claim.lease));
    await measure('complete (leaf, no subtasks)', () => fixture.store.complete({ ...claim.lease }));
    console.log('job store requests per task:', JSON.stringify(phases, null, 2));

    // Assess
    expect(phases['submit (with idempotency key)']).toMatchObject({
      'dynamodb:GetItem': 1,
      'dynamodb:TransactWriteItems': 1,
    });
    expect(phases.claim).toMatchObject({ 'dynamodb:TransactWriteItems': 1 });
    expect(Object.keys(phases.claim ?? {})).toHaveLength(3);
    expect(phases.heartbeat).toMatchObject({ 'dynamodb:UpdateItem': 1 });
    expect(phases['complete (leaf, no subtasks)']).toMatchObject({
      'dynamodb:BatchGetItem': 1,
      'dynamodb:TransactWriteItems': 1,
    });
    // A root leaf releases nothing: no follow-up writes after the commit.
    expect(Object.keys(phases['complete (leaf, no subtasks)'] ?? {})).toHaveLength(4);
    expect((await fixture.store.getJob(dispatch.jobId)).state).toBe('COMPLETED');
  });
});
