import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { SqsTaskQueue } from '../../../lambdas/adapters/aws/queues/sqs-task-queue.js';
import { TASK_QUEUE_MAX_RECEIVE_COUNT } from '../../../lambdas/adapters/aws/queues/task-messages.js';
import { taskQueueName } from '../../../lambdas/adapters/aws/queues/task-queue-names.js';
import { RequestAccounting } from '../../../lambdas/adapters/aws/request-accounting.js';
import { taskIdentifier } from '../../../lambdas/core/jobs/task-identifier.js';
import type { TaskMessage } from '../../../lambdas/core/ports/task-queue.js';
import { TaskSendError } from '../../../lambdas/core/ports/task-queue.js';
import { localClients } from '../support/local-aws.js';
import { injectSendFailures } from './sqs-failure-injection.js';
import { clients, freshQueue, messages, receiveAll, route } from './task-queue-fixture.js';

describe('SqsTaskQueue', () => {
  afterAll(() => clients.sqs.destroy());

  it('creates a route queue on first use with the cluster DLQ, redrive policy and encryption', async () => {
    // Prepare
    const { queue, prefix } = freshQueue({ waitSeconds: 20, visibilitySeconds: 120 });
    const accounting = new RequestAccounting().attach({ sqs: clients.sqs });

    // Act
    const url = await queue.ensureRouteQueue(route('gpu'));
    const again = await queue.ensureRouteQueue(route('gpu'));

    // Assess
    expect(again).toBe(url);
    expect(url.endsWith(`/${taskQueueName(route('gpu'), prefix)}`)).toBe(true);
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
    const url = await queue.ensureRouteQueue(route('cpu'));
    const other = new SqsTaskQueue({ client: clients.sqs, prefix, visibilitySeconds: 7 });
    const accounting = new RequestAccounting().attach({ sqs: clients.sqs });

    // Act
    const found = await other.ensureRouteQueue(route('cpu'));

    // Assess
    expect(found).toBe(url);
    expect(accounting.requests('sqs', 'GetQueueUrl')).toBe(1);
    expect(accounting.requests('sqs', 'CreateQueue')).toBe(0);
  });

  it('sends n messages in ceil(n/10) SendMessageBatch calls per route', async () => {
    for (const count of [1, 10, 11, 25]) {
      // Prepare
      const { queue } = freshQueue();
      await queue.ensureRouteQueue(route());
      const accounting = new RequestAccounting().attach({ sqs: clients.sqs });

      // Act
      await queue.send(messages(count));

      // Assess
      expect(accounting.requests('sqs', 'SendMessageBatch')).toBe(Math.ceil(count / 10));
      expect(accounting.total('sqs').requests).toBe(Math.ceil(count / 10));
      expect((await queue.depth(route())).visible).toBe(count);
    }
  });

  it('delivers each message once to the queue of its cluster, task name and major version', async () => {
    // Prepare
    const { queue } = freshQueue();
    const v2 = taskIdentifier('Work', 'v2.1');
    const other = taskIdentifier('Other', 'v1.0');
    const sent = [
      ...messages(12, 'a'),
      ...messages(3, 'b', 'job-2'),
      ...messages(2, 'a', 'job-3', v2),
      ...messages(1, 'a', 'job-4', other),
    ];

    // Act
    await queue.send(sent);
    const fromA = await receiveAll(queue, route('a'), 12);
    const fromB = await receiveAll(queue, route('b'), 3);
    const fromV2 = await receiveAll(queue, route('a', v2), 2);
    const fromOther = await receiveAll(queue, route('a', other), 1);

    // Assess
    const id = (message: Omit<TaskMessage, 'notBefore'>) =>
      `${message.cluster}:${message.jobId}/${message.taskId}#${message.attempt}@${message.identifier.name}/${message.identifier.version}`;
    expect(fromA.map(({ message }) => id(message)).sort()).toEqual(
      sent.slice(0, 12).map(id).sort(),
    );
    expect(fromB.map(({ message }) => message.cluster)).toEqual(['b', 'b', 'b']);
    expect(fromV2.map(({ message }) => message.identifier)).toEqual([v2, v2]);
    expect(fromOther.map(({ message }) => message.identifier)).toEqual([other]);
    expect(new Set(fromA.map(({ messageId }) => messageId)).size).toBe(12);
    expect(await queue.receive(route('a'), { waitSeconds: 0 })).toEqual([]);
  });

  it('acknowledges deliveries 10 per DeleteMessageBatch call', async () => {
    // Prepare
    const { queue } = freshQueue();
    await queue.send(messages(15));
    const received = await receiveAll(queue, route(), 15);
    const accounting = new RequestAccounting().attach({ sqs: clients.sqs });

    // Act
    await queue.ackAll(received.map(({ receipt }) => receipt));

    // Assess
    expect(accounting.requests('sqs', 'DeleteMessageBatch')).toBe(2);
    expect(await queue.depth(route())).toEqual({
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
    const early = await queue.receive(route(), { waitSeconds: 0 });
    const later = await receiveAll(queue, route(), 1);

    // Assess
    expect(early).toEqual([]);
    expect(later.map(({ message }) => message.taskId)).toEqual(['task-000']);
    expect((await queue.depth(route())).delayed).toBe(1);
  });

  it('makes released messages visible again, 10 per ChangeMessageVisibilityBatch', async () => {
    // Prepare
    const { queue } = freshQueue();
    await queue.send(messages(12));
    const first = await receiveAll(queue, route(), 12);
    const accounting = new RequestAccounting().attach({ sqs: clients.sqs });

    // Act
    await queue.releaseAll(
      first.map(({ receipt }) => receipt),
      0,
    );
    const calls = accounting.requests('sqs', 'ChangeMessageVisibilityBatch');
    const again = await receiveAll(queue, route(), 12);

    // Assess
    expect(calls).toBe(2);
    expect(again.map(({ messageId }) => messageId).sort()).toEqual(
      first.map(({ messageId }) => messageId).sort(),
    );
  });

  it('against a server that answers long polls only when full, fills batches while a route is busy', async () => {
    // Prepare: the local server holds a long poll for N > 1 messages until N arrived.
    const { queue } = freshQueue({ partialLongPolls: false });
    await queue.send(messages(7));
    const accounting = new RequestAccounting().attach({ sqs: clients.sqs });
    const startedAt = Date.now();

    // Act
    const batches: number[] = [];
    for (let call = 0; call < 3; call++) {
      batches.push((await queue.receive(route(), { max: 5, waitSeconds: 5 })).length);
    }
    const elapsedMs = Date.now() - startedAt;

    // Assess: one message on the first long poll, then the route is busy and batches fill.
    expect(batches).toEqual([1, 5, 1]);
    expect(accounting.requests('sqs', 'ReceiveMessage')).toBe(3);
    // No call waited for a full batch of 5 that never came.
    expect(elapsedMs).toBeLessThan(4_000);
  });

  it('dead-letters a message received and never deleted after maxReceiveCount receives', async () => {
    // Prepare: a consumer that fails every time, with a 1 s visibility timeout.
    const { queue } = freshQueue({ visibilitySeconds: 1 });
    await queue.send(messages(1));
    const counts: Array<number | undefined> = [];

    // Act
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && (await queue.depth(route())).deadLettered === 0) {
      for (const delivery of await queue.receive(route(), { waitSeconds: 1 })) {
        counts.push(delivery.receiveCount);
      }
    }

    // Assess
    expect(counts).toEqual([1, 2, 3, 4, 5]);
    expect(counts).toHaveLength(TASK_QUEUE_MAX_RECEIVE_COUNT);
    expect(await queue.depth(route())).toEqual({
      visible: 0,
      inFlight: 0,
      delayed: 0,
      deadLettered: 1,
    });
    expect(await queue.receive(route(), { waitSeconds: 1 })).toEqual([]);
  });

  it('retries entries SQS refuses until they are in', async () => {
    // Prepare
    const client = localClients().sqs;
    const { queue } = freshQueue({ client });
    await queue.ensureRouteQueue(route());
    const refusedOnce = new Set(['task-003', 'task-007']);
    const log = injectSendFailures(client, (entry, call) =>
      call === 0 && [...refusedOnce].some((id) => entry.MessageBody?.includes(id))
        ? { code: 'InternalError', senderFault: false }
        : undefined,
    );

    // Act
    await queue.send(messages(10));
    const received = await receiveAll(queue, route(), 10);

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
    await queue.ensureRouteQueue(route());
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
    expect((await queue.depth(route())).visible).toBe(8);
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
    expect((await queue.depth(route())).visible).toBe(2);
  });

  it('skips and reports a delivered message that is not a task message', async () => {
    // Prepare
    const invalid: string[] = [];
    const { queue } = freshQueue({ onInvalidMessage: ({ messageId }) => invalid.push(messageId) });
    const url = await queue.ensureRouteQueue(route());
    const { MessageId } = await clients.sqs.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'not json' }),
    );

    // Act
    const received = await queue.receive(route(), { waitSeconds: 1 });

    // Assess
    expect(received).toEqual([]);
    expect(invalid).toEqual([MessageId]);
    expect((await queue.depth(route())).inFlight).toBe(1);
  });

  it('reports zeros for a route that has no queue yet and creates none', async () => {
    // Prepare
    const { queue } = freshQueue();
    const accounting = new RequestAccounting().attach({ sqs: clients.sqs });

    // Act
    const depth = await queue.depth(route('nobody'));

    // Assess
    expect(depth).toEqual({ visible: 0, inFlight: 0, delayed: 0, deadLettered: 0 });
    expect(accounting.requests('sqs', 'CreateQueue')).toBe(0);
  });
});
