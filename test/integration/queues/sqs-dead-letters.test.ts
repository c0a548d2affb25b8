import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeadLetterMonitor } from '../../../bin/dev/dead-letter-monitor.js';
import { JOURNAL_ID_ATTRIBUTE } from '../../../bin/dev/durable-ingest.js';
import { ensureIngestQueue } from '../../../bin/dev/stack-bootstrap.js';
import {
  findDeadLetterQueues,
  messageCount,
  peekMessages,
  redriveDeadLetters,
  waitForRedrive,
} from '../../../lambdas/adapters/aws/queues/dead-letters.js';
import { SqsTaskQueue } from '../../../lambdas/adapters/aws/queues/sqs-task-queue.js';
import { objectCreatedEvent } from '../../support/s3-event-factories.js';
import { localClients, uniqueName } from '../support/local-aws.js';

const ROUTE = { cluster: 'default', taskName: 'Resize', versionMajor: 1 };

describe('SQS dead-letter queues', () => {
  const { sqs } = localClients();
  const prefix = `${uniqueName('dlq')}-`;
  let ingestQueueUrl: string;
  let routeUrl: string;
  let dir: string;

  const deadLetterUrl = async (name: string) =>
    (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl ?? '';

  beforeAll(async () => {
    ingestQueueUrl = await ensureIngestQueue(sqs, {
      queue: `${prefix}ingest`,
      deadLetterQueue: `${prefix}ingest-dlq`,
    });
    routeUrl = await new SqsTaskQueue({ client: sqs, prefix, maxReceiveCount: 1 }).ensureRouteQueue(
      ROUTE,
    );
    dir = await mkdtemp(join(tmpdir(), 'bucketflow-dlq-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finds the ingest queue’s DLQ through its redrive policy and each cluster’s task DLQ by prefix', async () => {
    // Act
    const queues = await findDeadLetterQueues(sqs, { ingestQueueUrl, taskQueuePrefix: prefix });

    // Assess
    expect(
      queues.map((queue) => `${queue.kind}:${queue.name}<-${queue.sourceName}`).sort(),
    ).toEqual([
      `ingest:${prefix}ingest-dlq<-${prefix}ingest`,
      `tasks:${prefix}default-dlq<-${prefix}default_*`,
    ]);
  });

  it('peeks at dead letters without taking them, and redrives them to their source queue', async () => {
    // Prepare
    const [queue] = (
      await findDeadLetterQueues(sqs, { ingestQueueUrl, taskQueuePrefix: prefix })
    ).filter((candidate) => candidate.kind === 'tasks');
    if (!queue) throw new Error('no task DLQ');
    // Each message is received once more than the route queue allows, so SQS dead-letters it
    // and records the route queue as its origin.
    for (const taskId of ['t1', 't2', 't3']) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: routeUrl,
          MessageBody: JSON.stringify({ jobId: 'j1', taskId, attempt: 1 }),
        }),
      );
    }
    await expect
      .poll(
        async () => {
          await sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: routeUrl,
              MaxNumberOfMessages: 10,
              VisibilityTimeout: 0,
            }),
          );
          return messageCount(sqs, queue.url);
        },
        { timeout: 30_000, interval: 200 },
      )
      .toBe(3);

    // Act
    const first = await peekMessages(sqs, queue.url);
    const second = await peekMessages(sqs, queue.url);
    await redriveDeadLetters(sqs, queue);
    const moved = await waitForRedrive(sqs, queue, 30_000);

    // Assess
    expect(first.map((letter) => JSON.parse(letter.body).taskId).sort()).toEqual([
      't1',
      't2',
      't3',
    ]);
    expect(second).toHaveLength(3);
    expect(moved).toBe(3);
    expect(await messageCount(sqs, queue.url)).toBe(0);
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: routeUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
      }),
    );
    expect(Messages).toHaveLength(3);
  });

  it('says once that an event was dead-lettered and puts it back after a restart lost it', async () => {
    // Prepare
    const lines: string[] = [];
    const file = join(dir, 'dead-letters.json');
    const monitor = () =>
      new DeadLetterMonitor({
        sqs,
        sources: { ingestQueueUrl, taskQueuePrefix: prefix },
        file,
        onDeadLetter: (line) => lines.push(line),
        ensureTaskDeadLetterQueue: async () => undefined,
      });
    const dlqUrl = await deadLetterUrl(`${prefix}ingest-dlq`);
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: dlqUrl,
        MessageBody: JSON.stringify(
          objectCreatedEvent({ bucket: 'demo', key: 'bad\u001b[2J.txt' }),
        ),
        MessageAttributes: { [JOURNAL_ID_ATTRIBUTE]: { DataType: 'String', StringValue: 'j-1' } },
      }),
    );
    const running = monitor();
    await running.check();
    await running.check();

    // Act: the SQS server lost its queues' contents; the next start restores them.
    const { Messages: lost = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10 }),
    );
    for (const message of lost) {
      await sqs.send(
        new DeleteMessageCommand({ QueueUrl: dlqUrl, ReceiptHandle: message.ReceiptHandle }),
      );
    }
    const restarted = monitor();
    const parked = await restarted.restore();
    await restarted.check();

    // Assess
    expect(lines).toEqual([
      `ingest event demo/bad\\x1B[2J.txt (created) dead-lettered in ${prefix}ingest-dlq — see bucketflow dlq list`,
    ]);
    expect([...parked]).toEqual(['j-1']);
    const letters = await peekMessages(sqs, dlqUrl);
    expect(letters.map((letter) => letter.attributes[JOURNAL_ID_ATTRIBUTE]?.StringValue)).toEqual([
      'j-1',
    ]);
    expect(restarted.letters().map((letter) => letter.key)).toEqual(['bad\u001b[2J.txt']);
  });
});
