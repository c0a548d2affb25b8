import { EventEmitter } from 'node:events';
import { GetQueueUrlCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { forwardS3Events, ingestSender } from '../../../bin/dev/ingest-events.js';
import { IngestPump } from '../../../bin/dev/ingest-pump.js';
import { resendQueuedTasks } from '../../../bin/dev/requeue-on-start.js';
import { ensureIngestQueue } from '../../../bin/dev/stack-bootstrap.js';
import type { S3EventBridgeEvent } from '../../../lambdas/adapters/aws/events/s3-event-parsing.js';
import { taskQueueName } from '../../../lambdas/adapters/aws/queues/task-queue-names.js';
import { taskIdentifier } from '../../../lambdas/core/jobs/task-identifier.js';
import { taskRouteOf } from '../../../lambdas/core/jobs/task-routing.js';
import { createS3IngestHandler } from '../../../lambdas/handlers/s3-ingest.js';
import type { SqsEvent } from '../../../lambdas/handlers/sqs-event.js';
import { objectCreatedEvent } from '../../support/s3-event-factories.js';
import { createTestRuntime, type TestRuntime } from '../support/handler-runtime.js';
import { uniqueName } from '../support/local-aws.js';

const BUCKET = 'pump-bucket';

describe('IngestPump', () => {
  let env: TestRuntime;
  let automationId: string;

  const newQueue = (visibilitySeconds = 2) =>
    ensureIngestQueue(env.clients.sqs, {
      queue: uniqueName('ingest'),
      deadLetterQueue: uniqueName('ingest-dlq'),
      visibilitySeconds,
    });

  const jobKeys = async () => {
    const page = await env.runtime.deps.jobs.queryJobs({
      from: 0,
      to: Date.now() + 60_000,
      automationId,
    });
    return page.jobs.map((job) => JSON.parse(job.triggerJson ?? '{}').key as string).sort();
  };

  beforeAll(async () => {
    env = await createTestRuntime();
    await env.runtime.automations.registerLocation({ name: 'demo', kind: 's3', bucket: BUCKET });
    const automation = await env.runtime.automations.create({
      name: 'texts',
      task: { identifier: { name: 'WordCount' }, input: {} },
      triggers: { storage: [{ location: 'demo', glob: '**.txt' }] },
    });
    automationId = automation.id;
  });

  it('ingests what the queue holds through the handler and deletes the messages it reports done', async () => {
    // Prepare
    const queueUrl = await newQueue();
    const send = ingestSender(env.clients.sqs, queueUrl);
    await send([
      objectCreatedEvent({ bucket: BUCKET, key: 'one.txt', sequencer: '01' }),
      objectCreatedEvent({ bucket: BUCKET, key: 'two.txt', sequencer: '02' }),
    ] as unknown as S3EventBridgeEvent[]);
    const pump = new IngestPump({
      sqs: env.clients.sqs,
      queueUrl,
      handler: createS3IngestHandler(env.runtime),
    });

    // Act
    const result = await pump.pumpOnce(1);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const again = await pump.pumpOnce(0);

    // Assess
    expect(result).toEqual({ received: 2, deleted: 2, failed: 0 });
    expect(again.received).toBe(0);
    expect(await jobKeys()).toEqual(expect.arrayContaining(['one.txt', 'two.txt']));
  });

  it('leaves a message the handler reports as failed on the queue for redelivery', async () => {
    // Prepare
    const queueUrl = await newQueue();
    await ingestSender(
      env.clients.sqs,
      queueUrl,
    )([
      objectCreatedEvent({ bucket: BUCKET, key: 'fine.txt', sequencer: '03' }),
    ] as unknown as S3EventBridgeEvent[]);
    const failing = new Set<string>();
    const handler = createS3IngestHandler(env.runtime);
    const pump = new IngestPump({
      sqs: env.clients.sqs,
      queueUrl,
      handler: async (event: SqsEvent) => {
        for (const record of event.Records) failing.add(record.messageId);
        return { batchItemFailures: [...failing].map((itemIdentifier) => ({ itemIdentifier })) };
      },
    });
    const healed = new IngestPump({ sqs: env.clients.sqs, queueUrl, handler });

    // Act
    const first = await pump.pumpOnce(1);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const redelivered = await healed.pumpOnce(1);

    // Assess
    expect(first).toEqual({ received: 1, deleted: 0, failed: 1 });
    expect(redelivered).toEqual({ received: 1, deleted: 1, failed: 0 });
    expect(await jobKeys()).toContain('fine.txt');
  });

  it('deletes nothing when the handler throws', async () => {
    // Prepare
    const queueUrl = await newQueue();
    await ingestSender(
      env.clients.sqs,
      queueUrl,
    )([
      objectCreatedEvent({ bucket: BUCKET, key: 'later.txt', sequencer: '04' }),
    ] as unknown as S3EventBridgeEvent[]);
    const errors: unknown[] = [];
    const pump = new IngestPump({
      sqs: env.clients.sqs,
      queueUrl,
      waitSeconds: 0,
      handler: async () => {
        throw new Error('DynamoDB unavailable');
      },
      onError: (error) => errors.push(error),
    });

    // Act
    pump.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await pump.stop();
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const { Messages = [] } = await env.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }),
    );

    // Assess
    expect(errors.map(String)).toContain('Error: DynamoDB unavailable');
    expect(Messages.map((message) => JSON.parse(message.Body ?? '{}').detail.object.key)).toEqual([
      'later.txt',
    ]);
  });
});

describe('forwardS3Events', () => {
  const record = (bucket: string, key: string) => ({
    eventName: 'ObjectCreated:Put',
    eventTime: '2026-11-23T10:00:00.000Z',
    s3: { bucket: { name: bucket }, object: { key, size: 3, eTag: 'abc', sequencer: '0A' } },
  });

  it('hands records over as EventBridge events with raw keys, while the request is open, skipping the cache bucket', () => {
    // Prepare
    const emitter = new EventEmitter();
    const accepted: S3EventBridgeEvent[] = [];
    const forwarder = forwardS3Events({
      emitter,
      accept: (events) => accepted.push(...events),
      skipBuckets: new Set(['cache']),
    });

    // Act
    emitter.emit('event', { Records: [record('demo', 'my+notes%2B1.txt')] });
    emitter.emit('event', { Records: [record('demo', '50%off.txt')] });
    emitter.emit('event', { Records: [record('cache', 'jobs/x/cache/y')] });
    forwarder.stop();

    // Assess
    expect(
      accepted.map((event) => [
        event['detail-type'],
        event.detail.bucket.name,
        event.detail.object.key,
      ]),
    ).toEqual([
      ['Object Created', 'demo', 'my+notes%2B1.txt'],
      ['Object Created', 'demo', '50%off.txt'],
    ]);
    expect(new Set(accepted.map((event) => event.id)).size).toBe(2);
  });

  it('gives two writes of one key in one millisecond distinct, growing sequencers', () => {
    // Prepare
    const emitter = new EventEmitter();
    const accepted: S3EventBridgeEvent[] = [];
    const forwarder = forwardS3Events({
      emitter,
      accept: (events) => accepted.push(...events),
      clock: () => Date.parse('2026-11-23T10:00:00Z'),
    });

    // Act
    emitter.emit('event', { Records: [record('demo', 'same.txt')] });
    emitter.emit('event', { Records: [record('demo', 'same.txt')] });
    forwarder.stop();

    // Assess
    const [first, second] = accepted.map((event) => event.detail.object.sequencer ?? '');
    expect(first).not.toBe(second);
    expect((first ?? '') < (second ?? '')).toBe(true);
  });

  it('reports an error of the journal instead of throwing into the S3 request', () => {
    // Prepare
    const emitter = new EventEmitter();
    const errors: unknown[] = [];
    const forwarder = forwardS3Events({
      emitter,
      accept: () => {
        throw new Error('disk full');
      },
      onError: (error) => errors.push(error),
    });

    // Act
    const emit = () => emitter.emit('event', { Records: [record('demo', 'a.txt')] });

    // Assess
    expect(emit).not.toThrow();
    forwarder.stop();
    expect(errors.map(String)).toEqual(['Error: disk full']);
  });
});

describe('resendQueuedTasks', () => {
  it('sends every runnable queued task again once, as a restart of the in-memory queue needs', async () => {
    // Prepare
    const env = await createTestRuntime();
    const { jobs } = env.runtime.deps;
    const submitted = await jobs.submit({
      name: 'waiting',
      root: { identifier: taskIdentifier('Waits', 'v1.0'), input: {} },
    });
    const startedAt = env.runtime.clock();

    // Act
    const resent = await resendQueuedTasks(env.runtime.deps, startedAt);
    const again = await resendQueuedTasks(env.runtime.deps, startedAt);

    // Assess
    expect([resent, again]).toEqual([1, 0]);
    const route = taskRouteOf('default', taskIdentifier('Waits', 'v1.0'));
    const { QueueUrl } = await env.clients.sqs.send(
      new GetQueueUrlCommand({ QueueName: taskQueueName(route, env.config.taskQueuePrefix) }),
    );
    const { Messages = [] } = await env.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    expect(Messages.map((message) => JSON.parse(message.Body ?? '{}').taskId)).toEqual([
      submitted.job.rootTaskIds[0],
    ]);
  });
});
