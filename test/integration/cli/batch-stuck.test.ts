import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbBatchStore } from '../../../lambdas/adapters/aws/batch-store/dynamodb-batch-store.js';
import { testClock } from '../../support/test-clock.js';
import { automationId, event, policy } from '../batches/batch-fixtures.js';
import { localClients } from '../support/local-aws.js';
import { type CliFixture, createCliFixture } from './cli-fixture.js';

// The CLI reads the batches table with the wall clock, so this world's clock starts there.
const clock = testClock(Date.now());

describe('bucketflow batch stuck', () => {
  let fixture: CliFixture;
  let store: DynamoDbBatchStore;

  beforeAll(async () => {
    fixture = await createCliFixture();
    store = new DynamoDbBatchStore({
      client: localClients().dynamodb,
      tableName: fixture.connection.tables.batches,
      clock,
    });
  });

  afterAll(async () => {
    await fixture?.remove();
  });

  it('lists only the closed batches whose dispatch failed, with attempts, next try and the error', async () => {
    // Prepare: two batches close on count; the dispatch of one fails twice
    const automation = automationId();
    const now = clock();
    const { closed } = await store.apply(
      {
        automationId: automation,
        policy: policy({ count: 1 }),
        events: [event('refused/a.csv', now), event('healthy/a.csv', now)],
      },
      now,
    );
    const refused = closed.find((batch) => batch.prefix === 'refused/');
    expect(refused).toBeDefined();
    const retryAt = now + 120_000;
    await store.recordDispatchFailure(refused?.batchId ?? '', 'first try failed', now + 60_000);
    await store.recordDispatchFailure(
      refused?.batchId ?? '',
      'PutEvents refused the entry: 256 KiB limit\n    at publish (bus.ts:1)',
      retryAt,
    );

    // Act
    const listed = await fixture.json<Array<Record<string, unknown>>>(['batch', 'stuck']);
    const table = await fixture.run(['batch', 'stuck']);

    // Assess: the healthy batch is not stuck; the table shows the error's first line only
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      batchId: refused?.batchId,
      automationId: automation,
      prefix: 'refused/',
      count: 1,
      attempts: 2,
      retryAt,
      lastError: expect.stringContaining('256 KiB limit'),
    });
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(refused?.batchId);
    expect(table.stdout).toContain('PutEvents refused the entry: 256 KiB limit');
    expect(table.stdout).not.toContain('bus.ts');
    expect(table.stdout).not.toContain('healthy/');
  });

  it('rejects a --limit outside 1 to 1000 naming the option', async () => {
    // Act
    const result = await fixture.run(['batch', 'stuck', '--limit', '0']);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--limit/);
  });
});
