import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BATCH_SHARDS } from '../../../lambdas/adapters/aws/batch-store/dynamodb-batch-store.js';
import { RequestAccounting } from '../../../lambdas/adapters/aws/request-accounting.js';
import { InvalidBatchQueryError } from '../../../lambdas/core/ports/batch-store.js';
import { automationId, batchTable, event, policy, T0 } from './batch-fixtures.js';

describe('DynamoDbBatchStore.listOpen', () => {
  let table: Awaited<ReturnType<typeof batchTable>>;
  const opened: { automation: string; prefix: string; time: number }[] = [];

  beforeAll(async () => {
    // Its own table: listOpen sees every automation's batches, and only these.
    table = await batchTable();
    const store = table.store();
    for (const [prefix, offset] of [
      ['late', 30_000],
      ['early', 0],
      ['middle', 10_000],
    ] as const) {
      const automation = automationId();
      const time = T0 + offset;
      await store.apply(
        {
          automationId: automation,
          policy: policy({ count: 3, quietSeconds: 60 }),
          events: [event(`${prefix}/a`, time), event(`${prefix}/b`, time)],
        },
        time,
      );
      opened.push({ automation, prefix: `${prefix}/`, time });
    }
  });

  it('lists the open batches of every automation, earliest deadline first', async () => {
    // Prepare
    const store = table.store();

    // Act
    const listed = await store.listOpen(100);

    // Assess
    expect(listed.map((batch) => batch.prefix)).toEqual(['early/', 'middle/', 'late/']);
    expect(listed[0]).toMatchObject({
      automationId: opened.find((batch) => batch.prefix === 'early/')?.automation,
      bucket: 'bucket-a',
      count: 2,
      firstEventAt: T0,
      dueAt: T0 + 60_000,
      dueReason: 'quiet',
    });
  });

  it('returns at most limit batches, the earliest due', async () => {
    // Prepare
    const store = table.store();

    // Act
    const listed = await store.listOpen(2);

    // Assess
    expect(listed.map((batch) => batch.prefix)).toEqual(['early/', 'middle/']);
  });

  it('leaves out batches closed by count or by the sweep', async () => {
    // Prepare
    const store = table.store();
    const automation = automationId();
    const batching = policy({ count: 3, quietSeconds: 60 });
    const counted = await store.apply(
      {
        automationId: automation,
        policy: batching,
        events: [event('full/1', T0), event('full/2', T0), event('full/3', T0)],
      },
      T0,
    );
    await store.apply(
      { automationId: automation, policy: batching, events: [event('swept/1', T0)] },
      T0,
    );
    const swept = await store.findOpen(automation, 'bucket-a', 'swept/');
    if (swept === undefined) throw new Error('no open batch to sweep');
    await store.closeDue(swept, T0 + 120_000);

    // Act
    const listed = await store.listOpen(100);

    // Assess
    expect(counted.closed).toHaveLength(1);
    expect(listed.map((batch) => batch.automationId)).not.toContain(automation);
    expect(listed).toHaveLength(3);
  });

  it('reads the due index with one Query per shard, never a Scan', async () => {
    // Prepare
    const store = table.store();
    const accounting = new RequestAccounting().attach({ dynamodb: table.clients.dynamodb });

    // Act
    await store.listOpen(100);

    // Assess
    // One per shard of the open-batch index.
    expect(accounting.requests('dynamodb', 'Query')).toBe(DEFAULT_BATCH_SHARDS);
    expect(accounting.requests('dynamodb', 'Scan')).toBe(0);
  });

  it('rejects a limit outside 1 to 1000 before any request', async () => {
    // Prepare
    const store = table.store();

    // Act
    const attempts = [0, 1001, 2.5].map((limit) => () => store.listOpen(limit));

    // Assess
    for (const attempt of attempts) expect(attempt).toThrow(InvalidBatchQueryError);
  });
});
