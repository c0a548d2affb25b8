import { SqsTaskQueue } from '../../../lambdas/adapters/aws/queues/sqs-task-queue.js';
import { type TaskIdentifier, taskIdentifier } from '../../../lambdas/core/jobs/task-identifier.js';
import { taskRouteOf } from '../../../lambdas/core/jobs/task-routing.js';
import type {
  ReceivedTask,
  TaskMessage,
  TaskRoute,
} from '../../../lambdas/core/ports/task-queue.js';
import { localClients, uniqueName } from '../support/local-aws.js';

/** One SQS client for a test file's queues; the file destroys it after its tests. */
export const clients = localClients();

/** A fresh prefix per test, so that queues (and their counts) are never shared. */
export function freshQueue(options: Partial<ConstructorParameters<typeof SqsTaskQueue>[0]> = {}) {
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

export const WORK = taskIdentifier('Work', 'v1.0');

/** The route of `Work@v1` (or `identifier`) on `cluster`. */
export function route(cluster = 'default', identifier: TaskIdentifier = WORK): TaskRoute {
  return taskRouteOf(cluster, identifier);
}

export function messages(
  count: number,
  cluster = 'default',
  jobId = 'job-1',
  identifier: TaskIdentifier = WORK,
): TaskMessage[] {
  return Array.from({ length: count }, (_, index) => ({
    jobId,
    taskId: `task-${String(index).padStart(3, '0')}`,
    attempt: 1,
    cluster,
    identifier,
  }));
}

export async function receiveAll(queue: SqsTaskQueue, from: TaskRoute, count: number) {
  const received: ReceivedTask[] = [];
  const deadline = Date.now() + 20_000;
  while (received.length < count && Date.now() < deadline) {
    received.push(...(await queue.receive(from, { waitSeconds: 1 })));
  }
  return received;
}
