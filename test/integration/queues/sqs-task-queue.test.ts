import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { RequestAccounting } from '../../../lambdas/adapters/aws/request-accounting.js';
import { TASK_QUEUE_MAX_RECEIVE_COUNT } from '../../../lambdas/adapters/aws/sqs-task-messages.js';
import { SqsTaskQueue } from '../../../lambdas/adapters/aws/sqs-task-queue.js';
import type { ReceivedTask, TaskMessage } from '../../../lambdas/core/ports/task-queue.js';
import { TaskSendError } from '../../../lambdas/core/ports/task-queue-errors.js';
import { localClients, uniqueName } from '../support/local-aws.js';
import { injectSendFailures } from './sqs-failure-injection.js';

const clients = localClients();

/** A fresh prefix per test, so that queues (and their counts) are never shared. */
function freshQueue(options: Partial<ConstructorParameters<typeof SqsTaskQueue>[0]> = {}) {
  const prefix = `${uniqueName('bft')}-`;
  const queue = new SqsTaskQueue({
    client: clients.sqs,
    prefix,
    waitSeconds: 0,
    retryBaseDelayMs: 1,
    ...options,
  });
  return { queue, prefix };
}

function messages(count: number, cluster = 'default', jobId = 'job-1'): TaskMessage[] {
  return Array.from({ length: count }, (_, index) => ({
    jobId,
    taskId: `task-${String(index).padStart(3, '0')}`,
    attempt: 1,
    cluster,
  }));
}

async function receiveAll(queue: SqsTaskQueue, cluster: string, count: number) {
  const received: ReceivedTask[] = [];
  const deadline = Date.now() + 20_000;
  while (received.length < count && Date.now() < deadline) {
    received.push(...(await queue.receive(cluster, { waitSeconds: 1 })));
  }
  return received;
}

describe('SqsTaskQueue', () => {
  afterAll(() => clients.sqs.destroy());

  it('creates a cluster queue on first use with a DLQ, redrive policy and encryption', async () => {
    // Prepare
    const { queue, prefix } = freshQueue({ waitSeconds: 20, visibilitySeconds: 120 });
    const accounting = new RequestAccounting().attach({ sqs: clients.sqs });

    // Act
    const url = await queue.ensureClusterQueue('gpu');
    const again = await queue.ensureClusterQueue('gpu');

    // Assess
    expect(again).toBe(url);
    expect(url.endsWith(`/${prefix}gpu`)).toBe(true);
    const { Attributes = {} } = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
    );
    expect(Attributes.SqsManagedSseEnabled).toBe('true');
    expect(Attributes.ReceiveMessageWaitTimeSeconds).toBe('20');
    expect(Attributes.VisibilityTimeout).toBe('120');
    const redrive = JSON.parse(Attributes.RedrivePolicy ?? '{}');
    expect(Number(redrive.maxReceiveCount)).toBe(5);
    expect(redrive.deadLetterTargetArn.endsWith(`:${prefix}gpu-dlq`)).toBe(true);
    expect(accounting.requests('sqs', 'CreateQueue')).toBe(2);
  });

  it('uses an existing queue as it is, without creating or changing anything', async () => {
    // Prepare
    const { queue, prefix } = freshQueue();
    const url = await queue.ensureClusterQueue('cpu');
    const other = new SqsTaskQueue({ client: clients.sqs, prefix, visibilitySeconds: 7 });
    const accounting = new RequestAccounting().attach({ sqs: clients.sqs });

    // Act
    const found = await other.ensureClusterQueue('cpu');

    // Assess
    expect(found).toBe(url);
    expect(accounting.requests('sqs', 'GetQueueUrl')).toBe(1);
    expect(accounting.requests('sqs', 'CreateQueue')).toBe(0);
  });

  it('sends n messages in ceil(n/10) SendMessageBatch calls per cluster', async () => {
    for (const count of [1, 10, 11, 25]) {
      // Prepare
      const { queue } = freshQueue();
      await queue.ensureClusterQueue('default');
      const accounting = new RequestAccounting().attach({ sqs: clients.sqs });

      // Act
      await queue.send(messages(count));

      // Assess
      expect(accounting.requests('sqs', 'SendMessageBatch')).toBe(Math.ceil(count / 10));
      expect(accounting.total('sqs').requests).toBe(Math.ceil(count / 10));
      expect((await queue.depth('default')).visible).toBe(count);
    }
  });

  it('delivers each message to its own cluster queue once, with its ids and attempt', async () => {
    // Prepare
    const { queue } = freshQueue();
    const sent = [...messages(12, 'a'), ...messages(3, 'b', 'job-2')];

    // Act
    await queue.send(sent);
    const fromA = await receiveAll(queue, 'a', 12);
    const fromB = await receiveAll(queue, 'b', 3);

    // Assess
    const id = (message: Omit<TaskMessage, 'notBefore'>) =>
      `${message.cluster}:${message.jobId}/${message.taskId}#${message.attempt}`;
    expect(fromA.map(({ message }) => id(message)).sort()).toEqual(
      sent.slice(0, 12).map(id).sort(),
    );
    expect(fromB.map(({ message }) => message.cluster)).toEqual(['b', 'b', 'b']);
    expect(new Set(fromA.map(({ messageId }) => messageId)).size).toBe(12);
  });

  it('acknowledges deliveries 10 per DeleteMessageBatch call', async () => {
    // Prepare
    const { queue } = freshQueue();
    await queue.send(messages(15));
    const received = await receiveAll(queue, 'default', 15);
    const accounting = new RequestAccounting().attach({ sqs: clients.sqs });

    // Act
    await queue.ackAll(received.map(({ receipt }) => receipt));

    // Assess
    expect(accounting.requests('sqs', 'DeleteMessageBatch')).toBe(2);
    expect(await queue.depth('default')).toEqual({
      visible: 0,
      inFlight: 0,
      delayed: 0,
      deadLettered: 0,
    });
  });

  it('delays a message towards notBefore and caps the delay at the SQS maximum', async () => {
    // Prepare
    const now = Date.now();
    const { queue } = freshQueue({ clock: () => now });

    const [soon, inAnHour] = messages(2);

    // Act
    await queue.send([
      { ...(soon as TaskMessage), notBefore: now + 2_000 },
      { ...(inAnHour as TaskMessage), notBefore: now + 3_600_000 },
    ]);
    const early = await queue.receive('default', { waitSeconds: 0 });
    const later = await receiveAll(queue, 'default', 1);

    // Assess
    expect(early).toEqual([]);
    expect(later.map(({ message }) => message.taskId)).toEqual(['task-000']);
    expect((await queue.depth('default')).delayed).toBe(1);
  });

  it('makes a released message visible again', async () => {
    // Prepare
    const { queue } = freshQueue();
    await queue.send(messages(1));
    const [first] = await receiveAll(queue, 'default', 1);

    // Act
    await queue.release(first?.receipt ?? { cluster: 'default', handle: '' }, 0);
    const [again] = await receiveAll(queue, 'default', 1);

    // Assess
    expect(again?.messageId).toBe(first?.messageId);
  });

  it('dead-letters a message received and never deleted after maxReceiveCount receives', async () => {
    // Prepare: a consumer that fails every time, with a 1 s visibility timeout.
    const { queue } = freshQueue({ visibilitySeconds: 1 });
    await queue.send(messages(1));
    const counts: Array<number | undefined> = [];

    // Act
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && (await queue.depth('default')).deadLettered === 0) {
      for (const delivery of await queue.receive('default', { waitSeconds: 1 })) {
        counts.push(delivery.receiveCount);
      }
    }

    // Assess
    expect(counts).toEqual([1, 2, 3, 4, 5]);
    expect(counts).toHaveLength(TASK_QUEUE_MAX_RECEIVE_COUNT);
    expect(await queue.depth('default')).toEqual({
      visible: 0,
      inFlight: 0,
      delayed: 0,
      deadLettered: 1,
    });
    expect(await queue.receive('default', { waitSeconds: 1 })).toEqual([]);
  });

  it('retries entries SQS refuses until they are in', async () => {
    // Prepare
    const client = localClients().sqs;
    const { queue } = freshQueue({ client });
    await queue.ensureClusterQueue('default');
    const refusedOnce = new Set(['task-003', 'task-007']);
    const log = injectSendFailures(client, (entry, call) =>
      call === 0 && [...refusedOnce].some((id) => entry.MessageBody?.includes(id))
        ? { code: 'InternalError', senderFault: false }
        : undefined,
    );

    // Act
    await queue.send(messages(10));
    const received = await receiveAll(queue, 'default', 10);

    // Assess
    expect(log.calls.map((call) => call.length)).toEqual([10, 2]);
    expect(received.map(({ message }) => message.taskId).sort()).toEqual(
      messages(10).map(({ taskId }) => taskId),
    );
    client.destroy();
  });

  it('reports the messages still refused after retries and sends all the others', async () => {
    // Prepare
    const client = localClients().sqs;
    const { queue } = freshQueue({ client, maxAttempts: 3 });
    await queue.ensureClusterQueue('default');
    const log = injectSendFailures(client, (entry) => {
      if (entry.MessageBody?.includes('task-004'))
        return { code: 'InternalError', senderFault: false };
      if (entry.MessageBody?.includes('task-005'))
        return { code: 'InvalidMessageContents', senderFault: true };
      return undefined;
    });

    // Act
    const error = await queue.send(messages(10)).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(TaskSendError);
    const failed = (error as TaskSendError).failed;
    expect(failed.map(({ entry, code }) => [entry.taskId, code]).sort()).toEqual([
      ['task-004', 'InternalError'],
      ['task-005', 'InvalidMessageContents'],
    ]);
    // The retryable one is tried three times, the sender fault once.
    expect(log.calls.map((call) => call.length)).toEqual([10, 1, 1]);
    expect((await queue.depth('default')).visible).toBe(8);
    client.destroy();
  });

  it('refuses a cluster whose queue name would break the SQS rules and sends the rest', async () => {
    // Prepare
    const { queue } = freshQueue();
    const tooLong = 'c'.repeat(80);

    // Act
    const error = await queue
      .send([...messages(2), ...messages(1, tooLong)])
      .catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(TaskSendError);
    expect((error as TaskSendError).failed.map(({ entry }) => entry.cluster)).toEqual([tooLong]);
    expect((error as Error).message).toContain('InvalidTaskQueueError');
    expect((await queue.depth('default')).visible).toBe(2);
  });

  it('skips and reports a delivered message that is not a task message', async () => {
    // Prepare
    const invalid: string[] = [];
    const { queue } = freshQueue({ onInvalidMessage: ({ messageId }) => invalid.push(messageId) });
    const url = await queue.ensureClusterQueue('default');
    const { MessageId } = await clients.sqs.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'not json' }),
    );

    // Act
    const received = await queue.receive('default', { waitSeconds: 1 });

    // Assess
    expect(received).toEqual([]);
    expect(invalid).toEqual([MessageId]);
    expect((await queue.depth('default')).inFlight).toBe(1);
  });

  it('reports zeros for a cluster that has no queue yet and creates none', async () => {
    // Prepare
    const { queue } = freshQueue();
    const accounting = new RequestAccounting().attach({ sqs: clients.sqs });

    // Act
    const depth = await queue.depth('nobody');

    // Assess
    expect(depth).toEqual({ visible: 0, inFlight: 0, delayed: 0, deadLettered: 0 });
    expect(accounting.requests('sqs', 'CreateQueue')).toBe(0);
  });
});
