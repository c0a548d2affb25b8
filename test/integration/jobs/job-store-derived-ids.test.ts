import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_IDEMPOTENCY_TTL_SECONDS } from '../../../lambdas/adapters/aws/job-store/dynamodb-job-store.js';
import { derivedJobId } from '../../../lambdas/adapters/aws/job-store/idempotency.js';
import { decodeUlidTime } from '../../../lambdas/core/jobs/ulid.js';
import { InvalidIdempotencyKeyError } from '../../../lambdas/core/ports/job-store.js';
import { createFixture, type JobStoreFixture, START, spec } from './job-store-fixture.js';

/** Keys that name a one-time fact carry its time: the job id comes from the key, no record. */
describe('DynamoDbJobStore submit with a permanent idempotency key', () => {
  let fixture: JobStoreFixture;
  beforeAll(async () => {
    fixture = await createFixture();
  });
  afterAll(() => fixture.clients.dynamodb.destroy());

  const idempotencyRecords = async (key: string) => {
    const { Items = [] } = await fixture.clients.dynamodb.send(
      new ScanCommand({
        TableName: fixture.tableName,
        ConsistentRead: true,
        FilterExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: `IDEMPOTENCY#${key}` } },
      }),
    );
    return Items;
  };

  it('derives the job id from the key and its time and writes no idempotency record', async () => {
    // Prepare
    const key = 'storage:auto-1:photos:a b+c%/ü.tif:0055AED6DCD90281E5';
    const eventTime = START - 3_600_000;

    // Act
    const first = await fixture.store.submit({
      name: 'a',
      root: spec('Resize'),
      idempotencyKey: key,
      idempotencyKeyTime: eventTime,
    });
    const again = await fixture.store.submit({
      name: 'a',
      root: spec('Resize'),
      idempotencyKey: key,
      idempotencyKeyTime: eventTime,
    });

    // Assess
    expect(first.created).toBe(true);
    expect(first.job.jobId).toBe(derivedJobId(key, eventTime));
    expect(decodeUlidTime(first.job.jobId)).toBe(eventTime);
    expect(first.job.createdAt).toBe(fixture.now);
    expect(first.runnable).toHaveLength(1);
    expect(again).toMatchObject({ created: false, runnable: [] });
    expect(again.job.jobId).toBe(first.job.jobId);
    expect(await idempotencyRecords(key)).toHaveLength(0);
  });

  it('creates exactly one job when 10 submits race with one permanent key', async () => {
    // Prepare
    const key = `cron:auto-2:${new Date(START).toISOString()}`;

    // Act
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        fixture.store.submit({
          name: 'cron',
          root: spec('Tick'),
          idempotencyKey: key,
          idempotencyKeyTime: START,
        }),
      ),
    );

    // Assess
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(new Set(results.map((result) => result.job.jobId)).size).toBe(1);
    expect(results.flatMap((result) => result.runnable)).toHaveLength(1);
  });

  it('returns the first job to a repeat that comes after an expiring record would be gone', async () => {
    // Prepare
    const key = 'batch:01JBATCHPERMANENT00000000';
    const first = await fixture.store.submit({
      name: 'b',
      roots: [spec('Left'), spec('Right')],
      idempotencyKey: key,
      idempotencyKeyTime: START,
    });
    fixture.now += 2 * DEFAULT_IDEMPOTENCY_TTL_SECONDS * 1000;

    // Act
    const later = await fixture.store.submit({
      name: 'b',
      roots: [spec('Left'), spec('Right')],
      idempotencyKey: key,
      idempotencyKeyTime: START,
    });

    // Assess
    fixture.now = START;
    expect(first).toMatchObject({ created: true });
    expect(first.runnable).toHaveLength(2);
    expect(later).toMatchObject({ created: false, runnable: [] });
    expect(later.job.jobId).toBe(first.job.jobId);
    expect(await fixture.store.listTasks(first.job.jobId)).toHaveLength(2);
    expect(await idempotencyRecords(key)).toHaveLength(0);
  });

  it('gives different keys with one time different jobs', async () => {
    // Act
    const [a, b] = await Promise.all(
      ['storage:auto-3:photos:a.tif:01', 'storage:auto-3:photos:a.tif:02'].map((key) =>
        fixture.store.submit({
          name: 'c',
          root: spec('Resize'),
          idempotencyKey: key,
          idempotencyKeyTime: START,
        }),
      ),
    );

    // Assess
    expect(a?.created && b?.created).toBe(true);
    expect(a?.job.jobId).not.toBe(b?.job.jobId);
  });

  it.each([
    [{ idempotencyKeyTime: START }, /idempotencyKeyTime: is given without an idempotencyKey/],
    [{ idempotencyKey: 'k', idempotencyKeyTime: 1.5 }, /idempotencyKeyTime: must be an integer/],
    [{ idempotencyKey: 'k', idempotencyKeyTime: -1 }, /idempotencyKeyTime: must be an integer/],
  ])('refuses %j and writes nothing', async (fields, message) => {
    // Act
    const submit = fixture.store.submit({ name: 'bad', root: spec('Resize'), ...fields });

    // Assess
    await expect(submit).rejects.toThrow(InvalidIdempotencyKeyError);
    await expect(submit).rejects.toThrow(message);
    expect(await idempotencyRecords('k')).toHaveLength(0);
  });
});
