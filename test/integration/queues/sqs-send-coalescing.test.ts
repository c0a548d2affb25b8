import { afterAll, describe, expect, it } from 'vitest';
import { TaskSendError } from '../../../lambdas/core/ports/task-queue.js';
import { localClients } from '../support/local-aws.js';
import { injectSendFailures } from './sqs-failure-injection.js';
import { clients, freshQueue, messages, receiveAll, route } from './task-queue-fixture.js';

/** Sends to one queue that overlap in time share SendMessageBatch calls; a lone send waits for none. */
describe('SqsTaskQueue send coalescing', () => {
  afterAll(() => clients.sqs.destroy());

  it('joins 50 concurrent one-message sends into a few batch calls and delivers each once', async () => {
    // Prepare
    const client = localClients().sqs;
    const { queue } = freshQueue({ client });
    await queue.ensureRouteQueue(route());
    const log = injectSendFailures(client, () => undefined);
    const sent = messages(50);

    // Act
    await Promise.all(sent.map((message) => queue.send([message])));

    // Assess
    // The first send leaves alone; the others wait for it and leave 10 a call.
    expect(log.calls.length).toBeLessThanOrEqual(7);
    expect(log.calls.flat()).toHaveLength(50);
    const received = await receiveAll(queue, route(), 50);
    expect(received.map((task) => task.message.taskId).sort()).toEqual(
      sent.map((message) => message.taskId),
    );
    client.destroy();
  });

  it('sends one call per send when each is awaited before the next', async () => {
    // Prepare
    const client = localClients().sqs;
    const { queue } = freshQueue({ client });
    await queue.ensureRouteQueue(route());
    const log = injectSendFailures(client, () => undefined);

    // Act
    for (const message of messages(3)) await queue.send([message]);

    // Assess
    expect(log.calls.map((call) => call.length)).toEqual([1, 1, 1]);
    client.destroy();
  });

  it('tells each concurrent caller only about its own refused messages', async () => {
    // Prepare
    const client = localClients().sqs;
    const { queue } = freshQueue({ client, maxAttempts: 2 });
    await queue.ensureRouteQueue(route());
    injectSendFailures(client, (entry) =>
      entry.MessageBody?.includes('task-003')
        ? { code: 'InvalidMessageContents', senderFault: true }
        : undefined,
    );
    const callers = messages(6).map((message) => [message]);

    // Act
    const outcomes = await Promise.allSettled(callers.map((batch) => queue.send(batch)));

    // Assess
    const refused = outcomes.flatMap((outcome, index) =>
      outcome.status === 'rejected' ? [[index, outcome.reason]] : [],
    );
    expect(refused).toHaveLength(1);
    const [index, error] = refused[0] as [number, unknown];
    expect(index).toBe(3);
    expect(error).toBeInstanceOf(TaskSendError);
    expect((error as TaskSendError).failed.map(({ entry }) => entry.taskId)).toEqual(['task-003']);
    expect((await queue.depth(route())).visible).toBe(5);
    client.destroy();
  });

  it('fails every caller of a batch call whose queue cannot be sent to, and the next send again', async () => {
    // Prepare
    const client = localClients().sqs;
    const { queue } = freshQueue({ client, maxAttempts: 1 });
    await queue.ensureRouteQueue(route());
    injectSendFailures(client, () => ({ code: 'InternalError', senderFault: false }));

    // Act
    const outcomes = await Promise.allSettled(messages(4).map((message) => queue.send([message])));

    // Assess
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'rejected',
      'rejected',
      'rejected',
      'rejected',
    ]);
    injectSendFailures(client, () => undefined);
    await expect(queue.send(messages(1))).resolves.toBeUndefined();
    client.destroy();
  });
});
