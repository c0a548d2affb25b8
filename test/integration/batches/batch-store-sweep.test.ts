import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_BATCH_SHARDS,
  DISPATCH_LEASE_MS,
} from '../../../lambdas/adapters/aws/batch-store/dynamodb-batch-store.js';
import { RequestAccounting } from '../../../lambdas/adapters/aws/request-accounting.js';
import {
  InvalidBatchQueryError,
  type OpenBatchRecord,
} from '../../../lambdas/core/ports/batch-store.js';
import { automationId, batchTable, event, FAR_FUTURE_MS, policy, T0 } from './batch-fixtures.js';

describe('DynamoDbBatchStore sweep and dispatch', () => {
  let table: Awaited<ReturnType<typeof batchTable>>;

  beforeAll(async () => {
    // Its own table: findDue sees every automation's batches.
    table = await batchTable();
  });

  async function openBatch(
    prefix: string,
    time: number,
    quietSeconds = 60,
    maxAgeSeconds?: number,
  ) {
    const store = table.store();
    const automation = automationId();
    const batching = policy({ count: 100, quietSeconds, maxAgeSeconds });
    await store.apply(
      { automationId: automation, policy: batching, events: [event(`${prefix}/first`, time)] },
      time,
    );
    const open = await store.findOpen(automation, 'bucket-a', `${prefix}/`);
    if (open === undefined) throw new Error('no open batch');
    return { store, automation, batching, open };
  }

  it('finds due batches with a Query on the index, never a Scan', async () => {
    // Prepare
    const due = await openBatch('due', T0 - 120_000);
    const notDue = await openBatch('fresh', T0 - 10_000);
    const accounting = new RequestAccounting().attach({ dynamodb: table.clients.dynamodb });

    // Act
    const found = await due.store.findDue(T0, 100);

    // Assess
    expect(found.map((batch) => batch.batchId)).toContain(due.open.batchId);
    expect(found.map((batch) => batch.batchId)).not.toContain(notDue.open.batchId);
    expect(accounting.requests('dynamodb', 'Scan')).toBe(0);
    // One per shard of the open-batch index.
    expect(accounting.requests('dynamodb', 'Query')).toBe(DEFAULT_BATCH_SHARDS);
  });

  it('closes a due batch at its quiet deadline and takes it out of the due index', async () => {
    // Prepare
    const { store, open } = await openBatch('quiet', T0 - 120_000);

    // Act
    const closed = await store.closeDue(open, T0);

    // Assess
    expect(closed).toMatchObject({
      batchId: open.batchId,
      reason: 'quiet',
      closedAt: T0 - 60_000,
      count: 1,
    });
    const stillDue = await store.findDue(T0, 100);
    expect(stillDue.map((batch) => batch.batchId)).not.toContain(open.batchId);
    expect(await store.closeDue(open, T0)).toBeUndefined();
  });

  it('closes a busy batch at its maximum age', async () => {
    // Prepare: events every 30 s keep it from going quiet.
    const { store, automation, batching, open } = await openBatch('busy', T0, 60, 90);
    await store.apply(
      { automationId: automation, policy: batching, events: [event('busy/2', T0 + 30_000)] },
      T0 + 30_000,
    );
    await store.apply(
      { automationId: automation, policy: batching, events: [event('busy/3', T0 + 60_000)] },
      T0 + 60_000,
    );
    const current = await store.findOpen(automation, 'bucket-a', 'busy/');

    // Act
    const closed = await store.closeDue(current ?? open, T0 + 95_000);

    // Assess
    expect(current).toMatchObject({ dueAt: T0 + 90_000, dueReason: 'max-age', count: 3 });
    expect(closed).toMatchObject({ reason: 'max-age', closedAt: T0 + 90_000, count: 3 });
  });

  it('lets exactly one of a racing sweep and ingest close a due batch', async () => {
    for (let round = 0; round < 5; round++) {
      // Prepare
      const { store, automation, batching, open } = await openBatch(`race${round}`, T0 - 120_000);
      const late = event(`race${round}/late`, T0);

      // Act
      const [swept, ingested] = await Promise.all([
        store.closeDue(open, T0),
        store.apply({ automationId: automation, policy: batching, events: [late] }, T0),
      ]);

      // Assess
      const closers = [swept ? 1 : 0, ingested.closed.length].reduce((a, b) => a + b);
      expect(closers).toBe(1);
      const record = await store.findClosed(open.batchId);
      expect(record).toMatchObject({ count: 1, reason: 'quiet', closedAt: T0 - 60_000 });
      const next = await store.findOpen(automation, 'bucket-a', `race${round}/`);
      expect(next?.batchId).not.toBe(open.batchId);
      const closedNext = next && (await store.closeDue(next, FAR_FUTURE_MS));
      expect(await store.readMembers(closedNext?.batchId ?? '')).toEqual([late.key]);
    }
  });

  it('counts an event once whether a racing sweep closes the batch or the event extends it first', async () => {
    for (let round = 0; round < 5; round++) {
      // Prepare: the event is older than the deadline, so it belongs to the batch if it gets there first.
      const { store, automation, batching, open } = await openBatch(`ext${round}`, T0 - 70_000);
      const late = event(`ext${round}/late`, T0 - 20_000);

      // Act
      const [swept] = await Promise.all([
        store.closeDue(open, T0),
        store.apply({ automationId: automation, policy: batching, events: [late] }, T0),
      ]);

      // Assess
      const record = await store.findClosed(open.batchId);
      const next = await store.findOpen(automation, 'bucket-a', `ext${round}/`);
      if (swept) {
        expect(record?.count).toBe(1);
        expect(next?.batchId).not.toBe(open.batchId);
        expect(next?.count).toBe(1);
      } else {
        expect(record).toBeUndefined();
        expect(next).toMatchObject({ batchId: open.batchId, count: 2 });
      }
    }
  });

  it('lets exactly one of many concurrent sweeps close a batch', async () => {
    // Prepare
    const { store, open } = await openBatch('many', T0 - 120_000);

    // Act
    const results = await Promise.all(
      Array.from({ length: 8 }, () => table.store().closeDue(open, T0)),
    );

    // Assess
    expect(results.filter((result) => result !== undefined)).toHaveLength(1);
    expect(await store.findOpen(open.automationId, 'bucket-a', 'many/')).toBeUndefined();
  });

  it('closes nothing when an ingest extended the batch after the sweep read it', async () => {
    // Prepare
    const { store, automation, batching, open } = await openBatch('extended', T0 - 70_000);
    await store.apply(
      { automationId: automation, policy: batching, events: [event('extended/2', T0 - 59_000)] },
      T0 - 59_000,
    );

    // Act
    const closed = await store.closeDue(open, T0);

    // Assess
    expect(closed).toBeUndefined();
    expect(await store.findOpen(automation, 'bucket-a', 'extended/')).toMatchObject({
      batchId: open.batchId,
      count: 2,
      dueAt: T0 + 1000,
    });
  });

  it('offers a closed batch to the sweep only after the dispatch lease, in processing time', async () => {
    // Prepare: its event time is an hour old, as with a lagging ingest.
    const { store, open } = await openBatch('lagging', T0 - 3_600_000);
    const closed = await store.closeDue(open, T0);

    // Act
    const during = await store.findUndispatched(T0 + DISPATCH_LEASE_MS - 1, 1000);
    const after = await store.findUndispatched(T0 + DISPATCH_LEASE_MS, 1000);

    // Assess
    expect(closed).toMatchObject({ closedAt: T0 - 3_600_000 + 60_000, writtenAt: T0 });
    expect(during.map((batch) => batch.batchId)).not.toContain(open.batchId);
    expect(after.map((batch) => batch.batchId)).toContain(open.batchId);
  });

  it('lets one of two sweeps lease a waiting batch, and retries a failed one at its backoff time', async () => {
    // Prepare
    const { store, open } = await openBatch('retried', T0 - 3_600_000);
    await store.closeDue(open, T0);
    const [waiting] = (await store.findUndispatched(T0 + DISPATCH_LEASE_MS, 1000)).filter(
      (batch) => batch.batchId === open.batchId,
    );
    if (waiting === undefined) throw new Error('not waiting');

    // Act
    const leases = await Promise.all([
      store.leaseDispatch(waiting, T0 + DISPATCH_LEASE_MS, 60_000),
      table.store().leaseDispatch(waiting, T0 + DISPATCH_LEASE_MS, 60_000),
    ]);
    await store.recordDispatchFailure(open.batchId, 'Error: refused', T0 + 10_000_000);
    await store.recordDispatchFailure(open.batchId, 'Error: refused again', T0 + 20_000_000);

    // Assess
    expect(leases.filter(Boolean)).toHaveLength(1);
    expect(
      (await store.findUndispatched(T0 + 19_999_999, 1000)).map((b) => b.batchId),
    ).not.toContain(open.batchId);
    const [listed] = (await store.listUndispatched(1000)).filter((b) => b.batchId === open.batchId);
    expect(listed).toMatchObject({
      attempts: 2,
      lastError: 'Error: refused again',
      retryAt: T0 + 20_000_000,
    });
  });

  it('keeps a closed batch findable until it is marked dispatched, exactly once', async () => {
    // Prepare
    const { store, open } = await openBatch('dispatch', T0 - 120_000);
    const closed = await store.closeDue(open, T0);

    // Act
    const before = await store.findUndispatched(T0 + DISPATCH_LEASE_MS, 1000);
    const marks = await Promise.all([
      store.markDispatched(open.batchId, T0 + 1),
      table.store().markDispatched(open.batchId, T0 + 1),
    ]);
    const after = await store.findUndispatched(T0 + DISPATCH_LEASE_MS, 1000);

    // Assess
    expect(closed).toBeDefined();
    expect(before.map((batch) => batch.batchId)).toContain(open.batchId);
    expect(marks.filter(Boolean)).toHaveLength(1);
    expect(after.map((batch) => batch.batchId)).not.toContain(open.batchId);
    expect(await store.findClosed(open.batchId)).toMatchObject({ dispatchedAt: T0 + 1 });
    await expect(store.markDispatched('01HZZZZZZZZZZZZZZZZZZZZZZZ', T0)).rejects.toThrow(/batch/);
  });

  it('reports the open batch a sweep should skip as not due', async () => {
    // Prepare
    const { store, open } = await openBatch('early', T0);
    const notYet: OpenBatchRecord = { ...open };

    // Act
    const closed = await store.closeDue(notYet, T0 + 59_999);

    // Assess
    expect(closed).toBeUndefined();
    expect((await store.findOpen(open.automationId, 'bucket-a', 'early/'))?.batchId).toBe(
      open.batchId,
    );
  });

  it('refuses a time beyond year 9999 with an error naming the parameter, before any request', async () => {
    // Prepare
    const { store, open } = await openBatch('unsafe', T0 - 120_000);
    const accounting = new RequestAccounting().attach({ dynamodb: table.clients.dynamodb });

    // Act
    const attempts = [
      () => store.closeDue(open, Number.MAX_SAFE_INTEGER),
      () => store.findDue(Number.MAX_SAFE_INTEGER, 100),
      () => store.findUndispatched(1.5, 100),
      () => store.recordDispatchFailure(open.batchId, 'boom', Number.NaN),
    ];

    // Assess
    for (const attempt of attempts) expect(attempt).toThrow(InvalidBatchQueryError);
    expect(attempts[0]).toThrow(/^now: must be an integer epoch ms .*far-future time/);
    expect(attempts[3]).toThrow(/^retryAt: /);
    expect(accounting.total('dynamodb').requests).toBe(0);
    expect((await store.findOpen(open.automationId, 'bucket-a', 'unsafe/'))?.batchId).toBe(
      open.batchId,
    );
  });
});
