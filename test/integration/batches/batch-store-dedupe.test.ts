import { beforeAll, describe, expect, it } from 'vitest';
import { injectDynamoDbFaults, writesSortKey } from '../support/dynamodb-faults.js';
import { localClients } from '../support/local-aws.js';
import { automationId, batchTable, event, FAR_FUTURE_MS, policy, T0 } from './batch-fixtures.js';

describe('DynamoDbBatchStore dedupe', () => {
  let table: Awaited<ReturnType<typeof batchTable>>;

  beforeAll(async () => {
    table = await batchTable();
  });

  it('counts an event delivered twice in one invocation once', async () => {
    // Prepare
    const store = table.store();
    const automation = automationId();
    const original = event('a/1.tif', T0);
    const again = { ...original, deliveryId: 'another-message' };

    // Act
    const { stats } = await store.apply(
      { automationId: automation, policy: policy(), events: [original, again, event('a/2', T0)] },
      T0,
    );

    // Assess
    expect(stats).toMatchObject({ read: 3, counted: 2, duplicates: 1 });
    expect((await store.findOpen(automation, 'bucket-a', 'a/'))?.count).toBe(2);
  });

  it('counts an event delivered to two concurrent invocations once', async () => {
    // Prepare: 200 events, each delivered once to each of two invocations.
    const store = table.store();
    const automation = automationId();
    const batching = policy({ count: 1000 });
    const events = Array.from({ length: 200 }, (_, i) => event(`c${i % 5}/${i}`, T0 + i * 7));
    const copies = events.map((original, i) => ({ ...original, deliveryId: `copy-${i}` }));

    // Act
    const [first, second] = await Promise.all([
      store.apply({ automationId: automation, policy: batching, events }, T0),
      store.apply({ automationId: automation, policy: batching, events: copies.reverse() }, T0),
    ]);

    // Assess
    expect((first?.stats.counted ?? 0) + (second?.stats.counted ?? 0)).toBe(200);
    expect((first?.stats.duplicates ?? 0) + (second?.stats.duplicates ?? 0)).toBe(200);
    const counts = await Promise.all(
      [0, 1, 2, 3, 4].map((p) => store.findOpen(automation, 'bucket-a', `c${p}/`)),
    );
    expect(counts.map((open) => open?.count)).toEqual([40, 40, 40, 40, 40]);
    const closed = await Promise.all(
      counts.map((open) => (open ? store.closeDue(open, FAR_FUTURE_MS) : undefined)),
    );
    const members = await Promise.all(
      closed.map((batch) => store.readMembers(batch?.batchId ?? '')),
    );
    expect(members.flat().sort()).toEqual(events.map((e) => e.key).sort());
  });

  it('counts an event once when a later invocation delivers it again', async () => {
    // Prepare
    const store = table.store();
    const automation = automationId();
    const original = event('late/1', T0);
    await store.apply({ automationId: automation, policy: policy(), events: [original] }, T0);

    // Act
    const { stats } = await store.apply(
      {
        automationId: automation,
        policy: policy(),
        events: [{ ...original, deliveryId: 'redelivered-by-s3' }],
      },
      T0 + 30_000,
    );

    // Assess
    expect(stats).toMatchObject({ counted: 0, duplicates: 1 });
    expect((await store.findOpen(automation, 'bucket-a', 'late/'))?.count).toBe(1);
  });

  it('drops a duplicate of an event whose batch has closed and leaves that batch closed', async () => {
    // Prepare: the original closes its batch by count; the copy arrives afterwards.
    const store = table.store();
    const automation = automationId();
    const batching = policy({ count: 2 });
    const original = event('k/2', T0 + 1);
    const { closed } = await store.apply(
      { automationId: automation, policy: batching, events: [event('k/1', T0), original] },
      T0,
    );

    // Act
    const { stats } = await store.apply(
      { automationId: automation, policy: batching, events: [{ ...original, deliveryId: 'x' }] },
      T0 + 5,
    );

    // Assess
    expect(closed).toHaveLength(1);
    expect(stats).toMatchObject({ counted: 0, duplicates: 1 });
    expect(await store.findOpen(automation, 'bucket-a', 'k/')).toBeUndefined();
    expect((await store.findClosed(closed[0]?.batchId ?? ''))?.count).toBe(2);
  });

  it.each(['before', 'after'] as const)(
    'counts a delivery once when its first attempt failed %s the header write and SQS retries it',
    async (when) => {
      // Prepare: the first attempt's header write fails before it is sent, or after it committed.
      const automation = automationId();
      const original = event('retry/1', T0);
      const client = localClients().dynamodb;
      injectDynamoDbFaults(client, (request) =>
        request.operation === 'PutItem' && writesSortKey(request, 'HEAD') ? when : undefined,
      );
      const attempt = await table
        .store({ client })
        .apply({ automationId: automation, policy: policy(), events: [original] }, T0);

      // Act: SQS redelivers the same message (same delivery id) a minute later.
      const retry = await table
        .store()
        .apply({ automationId: automation, policy: policy(), events: [original] }, T0 + 60_000);

      // Assess
      expect(attempt.failed).toHaveLength(1);
      expect(retry.stats).toMatchObject(
        when === 'before' ? { counted: 1, duplicates: 0 } : { counted: 0, duplicates: 1 },
      );
      expect((await table.store().findOpen(automation, 'bucket-a', 'retry/'))?.count).toBe(1);
    },
  );

  it('never treats events without a sequencer as duplicates', async () => {
    // Prepare
    const store = table.store();
    const automation = automationId();
    const bare = event('nos/1', T0, { sequencer: undefined });

    // Act
    const { stats } = await store.apply(
      { automationId: automation, policy: policy(), events: [bare, { ...bare }] },
      T0,
    );

    // Assess
    expect(stats).toMatchObject({ counted: 2, duplicates: 0 });
    expect((await store.findOpen(automation, 'bucket-a', 'nos/'))?.count).toBe(2);
  });
});
