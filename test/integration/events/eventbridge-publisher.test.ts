import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { type AwsClients, createAwsClients } from '../../../lambdas/adapters/aws/aws-clients.js';
import { EventBridgePublisher } from '../../../lambdas/adapters/aws/events/eventbridge-publisher.js';
import { RequestAccounting } from '../../../lambdas/adapters/aws/request-accounting.js';
import type { BatchReadyDetail } from '../../../lambdas/core/events/batch-ready-event.js';
import { EventPublishError } from '../../../lambdas/core/ports/event-publisher.js';
import { type FakeEventBridge, startFakeEventBridge } from '../support/fake-eventbridge.js';
import { readyBatches } from './batch-ready-fixtures.js';

const BUS = 'bucketflow-test-bus';

describe('EventBridgePublisher', () => {
  let fake: FakeEventBridge;
  let clients: AwsClients;
  let publisher: EventBridgePublisher;

  beforeAll(async () => {
    fake = await startFakeEventBridge();
    clients = createAwsClients(
      { ...inject('awsEndpoints'), eventbridge: fake.url },
      { local: true },
    );
    publisher = new EventBridgePublisher({
      client: clients.eventbridge,
      eventBusName: BUS,
      retryBaseDelayMs: 1,
    });
  });

  beforeEach(() => {
    fake.calls.length = 0;
    fake.accepted.length = 0;
    fake.failWhen(undefined);
  });

  afterAll(async () => {
    clients.eventbridge.destroy();
    await fake.close();
  });

  const batchIdOf = (entry: { Detail?: string }) =>
    (JSON.parse(entry.Detail ?? '{}') as BatchReadyDetail).batchId;

  it('publishes 25 events in 3 PutEvents calls on the custom bus', async () => {
    // Prepare
    const batches = readyBatches(25);
    const accounting = new RequestAccounting().attach({ eventbridge: clients.eventbridge });

    // Act
    await publisher.publishBatchReady(batches);

    // Assess
    expect(accounting.requests('eventbridge', 'PutEvents')).toBe(3);
    expect(fake.calls.map((call) => call.length)).toEqual([10, 10, 5]);
    expect(fake.accepted.map(batchIdOf)).toEqual(batches.map(({ batchId }) => batchId));
    const [first] = fake.accepted;
    expect(first).toMatchObject({
      EventBusName: BUS,
      Source: 'bucketflow',
      DetailType: 'objects-batch-ready',
      Resources: ['arn:aws:s3:::raw-scenes'],
    });
    expect(JSON.parse(first?.Detail ?? '{}')).toMatchObject({
      version: 1,
      batchId: batches[0]?.batchId,
      automation: 'scenes',
      prefix: 'instrument-a/run-0/',
      reason: 'count',
      members: { location: 'inline' },
      keys: ['instrument-a/run-0/0.tif', 'instrument-a/run-0/1.tif'],
      keysTruncated: false,
    });
  });

  it('sends the entries of a partially failed call again until all are in', async () => {
    // Prepare
    const batches = readyBatches(10);
    const flaky = new Set([batches[3]?.batchId, batches[7]?.batchId]);
    fake.failWhen((entry, call) =>
      call === 0 && flaky.has(batchIdOf(entry)) ? 'InternalFailure' : undefined,
    );

    // Act
    await publisher.publishBatchReady(batches);

    // Assess
    expect(fake.calls.map((call) => call.length)).toEqual([10, 2]);
    expect(fake.accepted.map(batchIdOf).sort()).toEqual(
      batches.map(({ batchId }) => batchId).sort(),
    );
  });

  it('reports the entries still refused after retries, having published the others', async () => {
    // Prepare
    const batches = readyBatches(12);
    const stuck = batches[4]?.batchId;
    fake.failWhen((entry) => (batchIdOf(entry) === stuck ? 'ThrottlingException' : undefined));

    // Act
    const error = await publisher.publishBatchReady(batches).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(EventPublishError);
    expect((error as EventPublishError).failed).toEqual([
      { batchId: stuck, code: 'ThrottlingException', message: 'injected ThrottlingException' },
    ]);
    expect((error as Error).message).toContain(String(stuck));
    // Four attempts for the stuck entry; the second call of 2 is untouched.
    expect(fake.calls.map((call) => call.length)).toEqual([10, 2, 1, 1, 1]);
    expect(fake.accepted).toHaveLength(11);
  });

  it('does not retry an entry EventBridge rejects as malformed', async () => {
    // Prepare
    const batches = readyBatches(3);
    fake.failWhen((entry) =>
      batchIdOf(entry) === batches[1]?.batchId ? 'MalformedDetail' : undefined,
    );

    // Act
    const error = await publisher.publishBatchReady(batches).catch((caught: unknown) => caught);

    // Assess
    expect((error as EventPublishError).batchIds).toEqual([batches[1]?.batchId]);
    expect(fake.calls).toHaveLength(1);
  });

  it('keeps each call within 256 KiB by putting large events in calls of their own', async () => {
    // Prepare: ten events whose keys (about 100 KiB each) are still inline.
    const keys = Array.from(
      { length: 1000 },
      (_, index) => `big/${String(index).padStart(95, '0')}`,
    );
    const batches = readyBatches(10).map((batch) => ({ ...batch, keys }));

    // Act
    await publisher.publishBatchReady(batches);

    // Assess
    expect(fake.calls.map((call) => call.length)).toEqual([2, 2, 2, 2, 2]);
    expect(fake.accepted).toHaveLength(10);
  });

  it('refuses an entry over 256 KiB without sending it and publishes the rest', async () => {
    // Prepare
    const batches = readyBatches(3);
    const huge = { ...batches[2], automationName: 'x'.repeat(300_000) } as (typeof batches)[number];

    // Act
    const error = await publisher
      .publishBatchReady([batches[0], batches[1], huge] as typeof batches)
      .catch((caught: unknown) => caught);

    // Assess
    expect((error as EventPublishError).failed).toEqual([
      expect.objectContaining({ batchId: huge.batchId, code: 'EntryTooLarge' }),
    ]);
    expect((error as Error).message).toMatch(/at most 262144/);
    expect(fake.accepted).toHaveLength(2);
  });
});
