import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destroyAwsClients } from '../../../lambdas/adapters/aws/aws-clients.js';
import { createBatchPolicy } from '../../../lambdas/core/batching/batch-thresholds.js';
import type { Automation } from '../../../lambdas/core/ports/automation-store.js';
import { STUCK_AFTER_ATTEMPTS } from '../../../lambdas/core/services/batch-dispatch.js';
import type { ServiceEvent } from '../../../lambdas/core/services/service-dependencies.js';
import type { SqsEvent } from '../../../lambdas/handlers/sqs-event.js';
import { objectCreatedEvent } from '../../support/s3-event-factories.js';
import { testClock } from '../../support/test-clock.js';
import { injectDynamoDbFaults, writesSortKey } from '../support/dynamodb-faults.js';
import { localClients, uniqueName } from '../support/local-aws.js';
import { FAR_FUTURE_MS } from './batch-fixtures.js';
import {
  type BatchTables,
  batchJobs,
  createBatchTables,
  createBatchWorld,
  plainStore,
} from './batch-world.js';

const T0 = Date.parse('2026-03-01T12:00:00Z');

/** The five defects issue 11 found by trying batching adversarially, one test each (or more). */
describe('batch regressions', () => {
  const clock = testClock(T0);
  let tables: BatchTables;

  beforeAll(async () => {
    tables = await createBatchTables(clock);
  });

  afterAll(() => destroyAwsClients(tables.plain));

  async function batchAutomation(
    trigger: { count?: number; quietSeconds?: number },
    task: { input?: unknown } = {},
  ): Promise<Automation> {
    return tables.automations.create({
      name: uniqueName('batches'),
      task: { identifier: { name: 'PackageBatch' }, input: task.input ?? {} },
      triggers: {
        batch: { location: tables.location, prefixDepth: 1, emitEvent: true, ...trigger },
      },
    });
  }

  function message(id: string, key: string, time = T0, sequencer = `0A${id}`) {
    return {
      messageId: id,
      body: JSON.stringify(
        objectCreatedEvent({
          bucket: tables.bucket,
          key,
          sequencer,
          time: new Date(time).toISOString(),
        }),
      ),
    };
  }

  /** Whether a request reads or writes the jobs table: a job store that is down fails it. */
  function touchesJobs(input: unknown): boolean {
    return JSON.stringify(input).includes(tables.names.jobs);
  }

  async function membersOfOpen(automation: Automation, prefix: string): Promise<string[]> {
    const store = plainStore(tables);
    const open = await store.findOpen(automation.id, tables.bucket, prefix);
    if (!open) return [];
    const closed = await store.closeDue(open, FAR_FUTURE_MS);
    return store.readMembers(closed?.batchId ?? '');
  }

  describe('redelivery', () => {
    it('counts an object once when another record of its SQS batch failed and SQS redelivers the same message', async () => {
      // Prepare: a storage automation whose job for p/one.csv cannot be submitted (a job store
      // error), so the ingest reports that message failed after its batch write.
      clock.set(T0);
      const batches = await batchAutomation({ count: 3 });
      const storage = await tables.automations.create({
        name: uniqueName('storage'),
        task: { identifier: { name: 'OnObject' }, input: {} },
        triggers: { storage: [{ location: tables.location, glob: '**/one.csv' }] },
      });
      const client = localClients().dynamodb;
      let jobStoreDown = true;
      injectDynamoDbFaults(client, (request) =>
        jobStoreDown && touchesJobs(request.input) ? 'before' : undefined,
      );
      const world = createBatchWorld(tables, { clock, client, automations: [batches, storage] });
      const first = await world.ingest({
        Records: [message('m1', 'p/one.csv'), message('m2', 'p/two.csv')],
      });

      // Act: SQS redelivers m1, the same message id, once the job store is back.
      jobStoreDown = false;
      clock.advance(60_000);
      const retry = await world.ingest({ Records: [message('m1', 'p/one.csv')] });

      // Assess
      expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
      expect(retry.batchItemFailures).toEqual([]);
      expect(await membersOfOpen(batches, 'p/')).toEqual(['p/one.csv', 'p/two.csv']);
      client.destroy();
    });

    it('counts an object once when the invocation timed out after its batch write and SQS redelivers the whole batch', async () => {
      // Prepare: the invocation dies right after the header write committed.
      clock.set(T0);
      const batches = await batchAutomation({ count: 3 });
      const client = localClients().dynamodb;
      let crashed = false;
      injectDynamoDbFaults(client, (request) => {
        if (crashed) return 'before';
        if (writesSortKey(request, 'HEAD')) {
          crashed = true;
          return 'after';
        }
        return undefined;
      });
      const dying = createBatchWorld(tables, { clock, client, automations: [batches] });
      await dying.ingest({ Records: [message('t1', 'q/one.csv'), message('t2', 'q/two.csv')] });

      // Act
      clock.advance(300_000);
      const world = createBatchWorld(tables, {
        clock,
        client: tables.plain.dynamodb,
        automations: [batches],
      });
      await world.ingest({ Records: [message('t1', 'q/one.csv'), message('t2', 'q/two.csv')] });

      // Assess
      expect(await membersOfOpen(batches, 'q/')).toEqual(['q/one.csv', 'q/two.csv']);
    });

    it('counts a poison message once however often it is received before it reaches the DLQ', async () => {
      // Prepare: the message's storage job can never be submitted, so every receive fails it.
      clock.set(T0);
      const batches = await batchAutomation({ count: 20 });
      const storage = await tables.automations.create({
        name: uniqueName('storage'),
        task: { identifier: { name: 'OnObject' }, input: {} },
        triggers: { storage: [{ location: tables.location, glob: '**/poison.csv' }] },
      });
      const client = localClients().dynamodb;
      injectDynamoDbFaults(client, (request) =>
        touchesJobs(request.input) ? 'before' : undefined,
      );
      const world = createBatchWorld(tables, { clock, client, automations: [batches, storage] });

      // Act: five receives, as the ingest queue's maxReceiveCount allows.
      const responses = [];
      for (let receive = 0; receive < 5; receive++) {
        responses.push(await world.ingest({ Records: [message('poison', 'r/poison.csv')] }));
        clock.advance(60_000);
      }

      // Assess
      expect(responses.every((r) => r.batchItemFailures.length === 1)).toBe(true);
      expect(await membersOfOpen(batches, 'r/')).toEqual(['r/poison.csv']);
    });
  });

  describe('sweep and lag', () => {
    it('never dispatches a batch closed by a lagging ingest before its members are written, and dispatches it once', async () => {
      // Prepare: events 10 minutes old close a batch by count; the ingest is held right after
      // the write that closed it while the sweep runs.
      clock.set(T0);
      const batches = await batchAutomation({ count: 2, quietSeconds: 60 });
      const ingestClient = localClients().dynamodb;
      let closedWrite = false;
      let release: () => void = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let reachedHold: () => void = () => {};
      const atHold = new Promise<void>((resolve) => {
        reachedHold = resolve;
      });
      ingestClient.middlewareStack.add(
        (next, context) => async (args) => {
          if (closedWrite) {
            reachedHold();
            await held;
          }
          const result = await next(args);
          const input = JSON.stringify(args.input);
          if (
            context.commandName === 'TransactWriteItemsCommand' &&
            /"pk":(\{"S":)?"B#/.test(input)
          ) {
            closedWrite = true;
          }
          return result;
        },
        { step: 'initialize', name: 'holdAfterClose' },
      );
      const ingestWorld = createBatchWorld(tables, {
        clock,
        client: ingestClient,
        automations: [batches],
      });
      const sweepWorld = createBatchWorld(tables, {
        clock,
        client: tables.plain.dynamodb,
        automations: [batches],
      });
      const old = T0 - 600_000;
      const event: SqsEvent = {
        Records: [message('l1', 'lag/a.csv', old), message('l2', 'lag/b.csv', old + 1_000)],
      };

      // Act
      const ingesting = ingestWorld.ingest(event);
      await atHold;
      clock.advance(1_000);
      await sweepWorld.sweep();
      release();
      await ingesting;
      clock.advance(24 * 3_600_000);
      await sweepWorld.sweep();

      // Assess
      const published = [...ingestWorld.published, ...sweepWorld.published].map((p) => p.batch);
      expect(published).toHaveLength(1);
      expect(published[0]).toMatchObject({ count: 2, keys: ['lag/a.csv', 'lag/b.csv'] });
      const jobs = await batchJobs(tables, batches.id, { from: T0 - 3_600_000, to: clock() + 1 });
      expect([...jobs.values()]).toEqual([
        { jobs: 1, count: 2, members: ['lag/a.csv', 'lag/b.csv'] },
      ]);
      ingestClient.destroy();
    });
  });

  describe('isolation', () => {
    it('dispatches a batch too large for a task input by reference, and the batches after it', async () => {
      // Prepare: 1,000 keys of about 270 bytes (within the count limit, beyond a 256 KB task
      // input) and, closed after it, a healthy batch of another automation; both closed by count
      // by an ingest that died before dispatching them.
      clock.set(T0);
      const large = await batchAutomation({ count: 1000, quietSeconds: 60 });
      const small = await batchAutomation({ count: 1, quietSeconds: 60 });
      const world = createBatchWorld(tables, {
        clock,
        client: tables.plain.dynamodb,
        automations: [large, small],
      });
      const store = plainStore(tables);
      const padding = 'x'.repeat(250);
      const keys = Array.from(
        { length: 1000 },
        (_, i) => `big/${padding}-${String(i).padStart(4, '0')}.tif`,
      );
      const created = (key: string, i: number) => ({
        bucket: tables.bucket,
        key,
        type: 'created' as const,
        time: T0 + i,
        sequencer: `B${i}`,
      });
      const policyOf = (automation: Automation) =>
        createBatchPolicy({ prefixDepth: 1, count: automation.triggers.batch?.count });
      await store.apply(
        { automationId: large.id, policy: policyOf(large), events: keys.map(created) },
        T0,
      );
      clock.advance(1_000);
      await store.apply(
        { automationId: small.id, policy: policyOf(small), events: [created('small/a.csv', 1)] },
        clock(),
      );

      // Act: the sweep, once the closing invocation's lease is over.
      clock.advance(10 * 60_000);
      const result = await world.sweep();

      // Assess
      expect(result).toMatchObject({ redispatched: 2, failed: 0 });
      const largeJobs = await batchJobs(tables, large.id, { from: T0 - 1, to: clock() + 1 });
      expect([...largeJobs.values()]).toEqual([{ jobs: 1, count: 1000, members: keys }]);
      const smallJobs = await batchJobs(tables, small.id, { from: T0 - 1, to: clock() + 1 });
      expect([...smallJobs.values()]).toEqual([{ jobs: 1, count: 1, members: ['small/a.csv'] }]);
      const largeEvent = world.published.find((p) => p.batch.automationId === large.id);
      expect(largeEvent?.batch.keys).toBeUndefined();
    });

    it('retries a batch that cannot be dispatched with backoff, lists it as stuck and delays no other', async () => {
      // Prepare: an automation whose task input leaves no room for any trigger, so its job is
      // always refused, and a healthy one.
      clock.set(T0);
      const refused = await batchAutomation(
        { count: 20, quietSeconds: 60 },
        { input: { blob: 'x'.repeat(262_000) } },
      );
      const healthy = await batchAutomation({ count: 20, quietSeconds: 60 });
      const events: ServiceEvent[] = [];
      const world = createBatchWorld(tables, {
        clock,
        client: tables.plain.dynamodb,
        automations: [refused, healthy],
        observe: (event) => events.push(event),
      });
      await world.ingest({
        Records: [message('i1', 'refused/a.csv'), message('i2', 'healthy/a.csv')],
      });

      // Act: sweeps an hour apart, past every backoff.
      const results = [];
      for (let sweep = 0; sweep < STUCK_AFTER_ATTEMPTS + 1; sweep++) {
        clock.advance(3_600_000);
        results.push(await world.sweep());
      }

      // Assess: both automations batch the location's objects; the healthy one delivers both
      // of its batches at the first sweep, the refused one's two are retried and end up stuck.
      const healthyJobs = await batchJobs(tables, healthy.id, { from: T0 - 1, to: clock() + 1 });
      expect([...healthyJobs.values()].map((job) => job.members).sort()).toEqual([
        ['healthy/a.csv'],
        ['refused/a.csv'],
      ]);
      expect(results[0]).toMatchObject({ closed: 4, failed: 2 });
      expect(results.at(-1)).toMatchObject({ stuck: 2 });
      const stuck = (await plainStore(tables).listUndispatched(1000)).filter(
        (batch) => batch.automationId === refused.id,
      );
      expect(stuck).toHaveLength(2);
      for (const batch of stuck) {
        expect(batch.attempts).toBe(STUCK_AFTER_ATTEMPTS + 1);
        expect(batch.lastError).toMatch(/256 KiB/);
        expect(batch.retryAt).toBeGreaterThan(clock());
      }
      const failures = events.filter((event) => event.type === 'batch-dispatch-failed');
      expect(failures).toHaveLength(2 * (STUCK_AFTER_ATTEMPTS + 1));
      expect(events.filter((e) => e.type === 'batches-stuck').at(-1)).toEqual({
        type: 'batches-stuck',
        count: 2,
      });
    });
  });
});
