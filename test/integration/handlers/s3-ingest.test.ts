import { GetQueueUrlCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { taskQueueName } from '../../../lambdas/adapters/aws/queues/task-queue-names.js';
import { type TaskIdentifier, taskIdentifier } from '../../../lambdas/core/jobs/task-identifier.js';
import { taskRouteOf } from '../../../lambdas/core/jobs/task-routing.js';
import { createS3IngestHandler } from '../../../lambdas/handlers/s3-ingest.js';
import { objectCreatedEvent, objectDeletedEvent } from '../../support/s3-event-factories.js';
import { testClock } from '../../support/test-clock.js';
import { createTestRuntime, sqsEvent, type TestRuntime } from '../support/handler-runtime.js';

const BUCKET = 'ingest-bucket';
const T0 = Date.parse('2026-11-23T10:00:00Z');
const clock = testClock(T0);

describe('s3-ingest handler', () => {
  let env: TestRuntime;
  let storageAutomationId: string;

  beforeAll(async () => {
    env = await createTestRuntime({ clock });
    const { automations } = env.runtime;
    await automations.registerLocation({ name: 'demo', kind: 's3', bucket: BUCKET });
    const storage = await automations.create({
      name: 'text-files',
      task: { identifier: { name: 'ProcessText', version: 'v1.0' }, input: { mode: 'fast' } },
      triggers: { storage: [{ location: 'demo', glob: '**.txt' }] },
    });
    storageAutomationId = storage.id;
    await automations.create({
      name: 'raw-batches',
      task: { identifier: { name: 'PackageBatch' }, input: {} },
      triggers: {
        batch: {
          location: 'demo',
          prefixDepth: 1,
          count: 3,
          quietSeconds: 60,
          ignore: ['scratch'],
        },
      },
    });
  });

  it('submits one StorageEventTask job per matching object and sends its task to the cluster queue', async () => {
    // Prepare
    const handler = createS3IngestHandler(env.runtime);
    const body = objectCreatedEvent({
      bucket: BUCKET,
      key: 'notes/a.txt',
      sequencer: '0A01',
      time: '2026-11-23T09:59:00Z',
    });

    // Act
    const response = await handler(
      sqsEvent([body, objectCreatedEvent({ bucket: BUCKET, key: 'image.png', sequencer: '0A02' })]),
    );

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const page = await env.runtime.deps.jobs.queryJobs({
      ...recentRange(),
      automationId: storageAutomationId,
    });
    expect(page.jobs).toHaveLength(1);
    const [job] = page.jobs;
    const [task] = await env.runtime.deps.jobs.listTasks(job?.jobId ?? '');
    expect(task?.identifier).toEqual({ name: 'ProcessText', version: 'v1.0' });
    const input = JSON.parse(task?.inputJson ?? '{}');
    expect(input).toMatchObject({
      mode: 'fast',
      __trigger: { kind: 'storage', bucket: BUCKET, key: 'notes/a.txt', location: 'demo' },
    });
    const messages = await receiveAll(env, 'default', taskIdentifier('ProcessText', 'v1.0'));
    expect(messages.map((m) => JSON.parse(m).taskId)).toContain(task?.taskId);
  });

  it('submits no second job when S3 delivers the same event twice', async () => {
    // Prepare
    const handler = createS3IngestHandler(env.runtime);
    const body = objectCreatedEvent({ bucket: BUCKET, key: 'twice/b.txt', sequencer: '0B01' });

    // Act
    await Promise.all([handler(sqsEvent([body], 'first')), handler(sqsEvent([body], 'second'))]);
    await handler(sqsEvent([body], 'third'));

    // Assess
    const page = await env.runtime.deps.jobs.queryJobs({
      ...recentRange(),
      automationId: storageAutomationId,
    });
    const forKey = [];
    for (const job of page.jobs) {
      const [task] = await env.runtime.deps.jobs.listTasks(job.jobId);
      if (JSON.parse(task?.inputJson ?? '{}').__trigger?.key === 'twice/b.txt') forKey.push(job);
    }
    expect(forKey).toHaveLength(1);
  });

  it('closes a batch on count and publishes it once, ignoring deleted and ignored objects', async () => {
    // Prepare
    const handler = createS3IngestHandler(env.runtime);
    const bodies = [
      objectCreatedEvent({
        bucket: BUCKET,
        key: 'raw/1.csv',
        sequencer: '0C01',
        time: '2026-11-23T09:00:01Z',
      }),
      objectDeletedEvent({
        bucket: BUCKET,
        key: 'raw/0.csv',
        sequencer: '0C00',
        time: '2026-11-23T09:00:01Z',
      }),
      objectCreatedEvent({
        bucket: BUCKET,
        key: 'scratch/x.csv',
        sequencer: '0C09',
        time: '2026-11-23T09:00:01Z',
      }),
      objectCreatedEvent({
        bucket: BUCKET,
        key: 'raw/2.csv',
        sequencer: '0C02',
        time: '2026-11-23T09:00:02Z',
      }),
      objectCreatedEvent({
        bucket: BUCKET,
        key: 'raw/3.csv',
        sequencer: '0C03',
        time: '2026-11-23T09:00:03Z',
      }),
      objectCreatedEvent({
        bucket: BUCKET,
        key: 'raw/4.csv',
        sequencer: '0C04',
        time: '2026-11-23T09:00:04Z',
      }),
    ];
    const before = env.published.length;

    // Act
    const response = await handler(sqsEvent(bodies, 'batch'));

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const published = env.published.slice(before);
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      bucket: BUCKET,
      prefix: 'raw/',
      count: 3,
      reason: 'count',
      automationName: 'raw-batches',
    });
    expect(published[0]?.keys).toEqual(['raw/1.csv', 'raw/2.csv', 'raw/3.csv']);
    const open = await env.runtime.deps.batches.findOpen(
      published[0]?.automationId ?? '',
      BUCKET,
      'raw/',
    );
    expect(open?.count).toBe(1);
  });

  it('counts a replayed event once after its batch closed: a crash after the ingest, before the ack', async () => {
    // Prepare: a batch of 'replay/' closes on count; one of its events comes again with the same
    // event id and sequencer, as an SQS retry, a DLQ redrive or local mode's journal replays it
    const handler = createS3IngestHandler(env.runtime);
    const bodies = [1, 2, 3].map((n) =>
      objectCreatedEvent({
        bucket: BUCKET,
        key: `replay/${n}.csv`,
        sequencer: `0D0${n}`,
        time: '2026-11-23T09:10:00Z',
      }),
    );
    await handler(sqsEvent(bodies, 'replay'));
    const before = env.published.length;

    // Act
    const response = await handler(sqsEvent([bodies[1]], 'replay-again'));

    // Assess: no event, and the prefix's next batch holds nothing
    expect(response.batchItemFailures).toEqual([]);
    expect(env.published.slice(before)).toEqual([]);
    const closed = env.published.filter((batch) => batch.prefix === 'replay/');
    expect(closed.map((batch) => batch.keys)).toEqual([
      ['replay/1.csv', 'replay/2.csv', 'replay/3.csv'],
    ]);
    const open = await env.runtime.deps.batches.findOpen(
      closed[0]?.automationId ?? '',
      BUCKET,
      'replay/',
    );
    expect(open?.count ?? 0).toBe(0);
  });

  it('reports a malformed message as a failed item and processes the rest', async () => {
    // Prepare
    const handler = createS3IngestHandler(env.runtime);
    const bad = { ...objectCreatedEvent({ bucket: BUCKET }), source: 'not-s3' };

    // Act
    const response = await handler(
      sqsEvent(
        [
          '{not json',
          bad,
          objectCreatedEvent({ bucket: BUCKET, key: 'ok/c.txt', sequencer: '0D01' }),
        ],
        'mixed',
      ),
    );

    // Assess
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: 'mixed-0' },
      { itemIdentifier: 'mixed-1' },
    ]);
  });
});

/** Every message waiting in the queue of `identifier`'s route on `cluster`. */
async function receiveAll(
  env: TestRuntime,
  cluster: string,
  identifier: TaskIdentifier,
): Promise<string[]> {
  const name = taskQueueName(taskRouteOf(cluster, identifier), env.config.taskQueuePrefix);
  const { QueueUrl } = await env.clients.sqs.send(new GetQueueUrlCommand({ QueueName: name }));
  const bodies: string[] = [];
  for (;;) {
    const result = await env.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (!result.Messages?.length) return bodies;
    bodies.push(...result.Messages.map((m) => m.Body ?? ''));
  }
}

/** Jobs are stamped with the world's clock; a window around it finds them. */
function recentRange() {
  return { from: clock() - 3_600_000, to: clock() + 3_600_000 };
}
