import { beforeAll, describe, expect, it } from 'vitest';
import { DISPATCH_LEASE_MS } from '../../../lambdas/adapters/aws/batch-store/dynamodb-batch-store.js';
import { RequestAccounting } from '../../../lambdas/adapters/aws/request-accounting.js';
import { automationId, batchTable, event, FAR_FUTURE_MS, policy, T0 } from './batch-fixtures.js';

describe('DynamoDbBatchStore.apply', () => {
  let table: Awaited<ReturnType<typeof batchTable>>;

  beforeAll(async () => {
    table = await batchTable();
  });

  it('writes the header of each prefix once, after one read, for 1,000 events over 20 prefixes', async () => {
    // Prepare
    const store = table.store();
    const automation = automationId();
    const batching = policy({ count: 1000, quietSeconds: 300 });
    const events = Array.from({ length: 1000 }, (_, index) =>
      event(`site-${index % 20}/scan-${index}.tif`, T0 + index * 10),
    );
    const accounting = new RequestAccounting().attach({ dynamodb: table.clients.dynamodb });

    // Act
    const result = await store.apply({ automationId: automation, policy: batching, events }, T0);

    // Assess
    expect(result.stats).toMatchObject({ read: 1000, counted: 1000, duplicates: 0 });
    expect(result.failed).toEqual([]);
    // A new prefix has no dedupe records to read: 1 GetItem and 1 header write each.
    expect(accounting.requests('dynamodb', 'GetItem')).toBe(20);
    expect(accounting.requests('dynamodb', 'Query')).toBe(0);
    expect(
      accounting.requests('dynamodb', 'PutItem') +
        accounting.requests('dynamodb', 'TransactWriteItems'),
    ).toBe(20);
    expect(accounting.requests('dynamodb', 'UpdateItem')).toBe(0);
    expect(accounting.requests('dynamodb', 'Scan')).toBe(0);
    expect(accounting.total('dynamodb').errors).toBe(0);
    const open = await store.findOpen(automation, 'bucket-a', 'site-7/');
    expect(open).toMatchObject({ count: 50, firstEventAt: T0 + 70, lastEventAt: T0 + 9870 });
    expect(open?.dueAt).toBe(T0 + 9870 + 300_000);
  });

  it('appends a later invocation with one dedupe Query and one header write per prefix', async () => {
    // Prepare
    const store = table.store();
    const automation = automationId();
    const batching = policy({ count: 1000 });
    const first = Array.from({ length: 40 }, (_, i) => event(`p${i % 4}/a${i}`, T0 + i));
    await store.apply({ automationId: automation, policy: batching, events: first }, T0);
    const second = Array.from({ length: 40 }, (_, i) => event(`p${i % 4}/b${i}`, T0 + 30_000 + i));
    const accounting = new RequestAccounting().attach({ dynamodb: table.clients.dynamodb });

    // Act
    await store.apply({ automationId: automation, policy: batching, events: second }, T0 + 30_000);

    // Assess
    expect(accounting.requests('dynamodb', 'GetItem')).toBe(4);
    expect(accounting.requests('dynamodb', 'Query')).toBe(4);
    expect(
      accounting.requests('dynamodb', 'PutItem') +
        accounting.requests('dynamodb', 'TransactWriteItems'),
    ).toBe(4);
    expect(accounting.total('dynamodb').errors).toBe(0);
    const open = await store.findOpen(automation, 'bucket-a', 'p2/');
    expect(open?.count).toBe(20);
    const closed = open && (await store.closeDue(open, FAR_FUTURE_MS));
    expect(await store.readMembers(closed?.batchId ?? '')).toEqual([
      ...first.filter((e) => e.key.startsWith('p2/')).map((e) => e.key),
      ...second.filter((e) => e.key.startsWith('p2/')).map((e) => e.key),
    ]);
  });

  it('closes a batch when the count threshold is reached and opens the next one under a new id', async () => {
    // Prepare
    const store = table.store();
    const automation = automationId();
    const batching = policy({ count: 10 });
    const events = Array.from({ length: 25 }, (_, i) => event(`run/${i}.csv`, T0 + i * 1000));

    // Act
    const { closed } = await store.apply(
      { automationId: automation, policy: batching, events },
      T0,
    );

    // Assess
    expect(closed).toHaveLength(2);
    expect(closed.map((batch) => [batch.count, batch.reason, batch.closedAt])).toEqual([
      [10, 'count', T0 + 9000],
      [10, 'count', T0 + 19_000],
    ]);
    const [a, b] = closed;
    expect(a?.batchId).not.toBe(b?.batchId);
    expect(await store.readMembers(a?.batchId ?? '')).toEqual(
      Array.from({ length: 10 }, (_, i) => `run/${i}.csv`),
    );
    const open = await store.findOpen(automation, 'bucket-a', 'run/');
    expect(open?.count).toBe(5);
    expect([a?.batchId, b?.batchId]).not.toContain(open?.batchId);
    // Left to the closing invocation for the dispatch lease, in processing time.
    expect(await store.findUndispatched(T0 + 60_000, 10)).not.toEqual(
      expect.arrayContaining([expect.objectContaining({ batchId: a?.batchId })]),
    );
    expect(await store.findUndispatched(T0 + DISPATCH_LEASE_MS, 10)).toEqual(
      expect.arrayContaining([expect.objectContaining({ batchId: a?.batchId })]),
    );
  });

  it('closes the batch of the count-reaching invocation when earlier invocations filled it', async () => {
    // Prepare
    const store = table.store();
    const automation = automationId();
    const batching = policy({ count: 10 });
    const first = Array.from({ length: 7 }, (_, i) => event(`x/${i}`, T0 + i));
    await store.apply({ automationId: automation, policy: batching, events: first }, T0);
    const opened = await store.findOpen(automation, 'bucket-a', 'x/');

    // Act
    const second = Array.from({ length: 5 }, (_, i) => event(`x/${7 + i}`, T0 + 100 + i));
    const { closed } = await store.apply(
      { automationId: automation, policy: batching, events: second },
      T0 + 100,
    );

    // Assess
    expect(closed).toEqual([
      expect.objectContaining({ batchId: opened?.batchId, count: 10, reason: 'count' }),
    ]);
    expect(await store.readMembers(opened?.batchId ?? '')).toEqual(
      Array.from({ length: 10 }, (_, i) => `x/${i}`),
    );
    const next = await store.findOpen(automation, 'bucket-a', 'x/');
    expect(next).toMatchObject({ count: 2 });
    expect(next?.batchId).not.toBe(opened?.batchId);
  });

  it('closes an overdue batch at its deadline when an event arrives exactly then', async () => {
    // Prepare
    const store = table.store();
    const automation = automationId();
    const batching = policy({ count: 100, quietSeconds: 60 });
    await store.apply(
      { automationId: automation, policy: batching, events: [event('d/1', T0)] },
      T0,
    );
    const opened = await store.findOpen(automation, 'bucket-a', 'd/');

    // Act
    const { closed } = await store.apply(
      { automationId: automation, policy: batching, events: [event('d/2', T0 + 60_000)] },
      T0 + 60_000,
    );

    // Assess
    expect(closed).toEqual([
      expect.objectContaining({ batchId: opened?.batchId, reason: 'quiet', closedAt: T0 + 60_000 }),
    ]);
    const next = await store.findOpen(automation, 'bucket-a', 'd/');
    expect(next).toMatchObject({ count: 1, firstEventAt: T0 + 60_000 });
    expect(next?.batchId).not.toBe(opened?.batchId);
  });

  it('reads back every member of batches filled over several invocations, 2,500 keys in all', async () => {
    // Prepare: long keys, so that every write moves its keys to member records.
    const store = table.store();
    const automation = automationId();
    const batching = policy({ count: 1000, quietSeconds: 3600 });
    const keys = Array.from(
      { length: 2500 },
      (_, i) => `bulk/${'deep-folder-name/'.repeat(5)}object-${String(i).padStart(5, '0')}.bin`,
    );
    const closed = [];

    // Act
    for (let start = 0; start < keys.length; start += 500) {
      const events = keys.slice(start, start + 500).map((key, i) => event(key, T0 + start + i));
      const result = await store.apply(
        { automationId: automation, policy: batching, events },
        T0 + start,
      );
      closed.push(...result.closed);
    }

    // Assess
    expect(closed.map((batch) => batch.count)).toEqual([1000, 1000]);
    const open = await store.findOpen(automation, 'bucket-a', 'bulk/');
    const last = open && (await store.closeDue(open, FAR_FUTURE_MS));
    const members = [
      ...(await store.readMembers(closed[0]?.batchId ?? '')),
      ...(await store.readMembers(closed[1]?.batchId ?? '')),
      ...(await store.readMembers(last?.batchId ?? '')),
    ];
    expect(members).toEqual(keys);
  });

  it('drops deleted and ignored events without writing for them', async () => {
    // Prepare
    const store = table.store();
    const automation = automationId();
    const batching = policy({ ignore: ['tmp'] });
    const events = [
      event('tmp/a', T0),
      event('keep/b', T0, { type: 'deleted' }),
      event('keep/c', T0 + 1),
    ];

    // Act
    const { stats } = await store.apply({ automationId: automation, policy: batching, events }, T0);

    // Assess
    expect(stats).toEqual({
      read: 3,
      counted: 1,
      duplicates: 0,
      deleted: 1,
      ignored: 1,
      markers: 0,
    });
    expect(await store.findOpen(automation, 'bucket-a', 'tmp/')).toBeUndefined();
    expect((await store.findOpen(automation, 'bucket-a', 'keep/'))?.count).toBe(1);
  });
});
