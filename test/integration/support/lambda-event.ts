import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { taskQueueName } from '../../../lambdas/adapters/aws/queues/task-queue-names.js';
import type { TaskIdentifier } from '../../../lambdas/core/jobs/task-identifier.js';
import { taskRouteOf } from '../../../lambdas/core/jobs/task-routing.js';
import type { TestRuntime } from './handler-runtime.js';

/**
 * What Lambda's event source mapping hands a task runner function from the
 * queue of one route (cluster, task name, major version): up to 10 received
 * messages, each with the queue's ARN as `eventSourceARN`.
 *
 * @example
 * ```ts
 * await handler(await lambdaEvent(env, 'default', identifierOf(Greet)));
 * ```
 */
export async function lambdaEvent(env: TestRuntime, cluster: string, identifier: TaskIdentifier) {
  const name = taskQueueName(taskRouteOf(cluster, identifier), env.config.taskQueuePrefix);
  const { QueueUrl } = await env.clients.sqs.send(new GetQueueUrlCommand({ QueueName: name }));
  const { Attributes } = await env.clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const received = await env.clients.sqs.send(
    new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
  );
  return {
    Records: (received.Messages ?? []).map((m) => ({
      messageId: m.MessageId ?? '',
      receiptHandle: m.ReceiptHandle ?? '',
      body: m.Body ?? '',
      eventSourceARN: Attributes?.QueueArn ?? '',
    })),
  };
}
