import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { TaskDispatch } from '../../core/ports/job-store.js';
import { TaskSendError } from './errors.js';

/** SQS takes at most 10 entries per SendMessageBatch. */
export const SQS_BATCH_SIZE = 10;
/** SQS's longest message delay; a longer backoff is enforced by the task's `notBefore`. */
export const SQS_MAX_DELAY_SECONDS = 900;
const SEND_ATTEMPTS = 3;

export interface SqsTaskDispatcherOptions {
  readonly client: SQSClient;
  /** Queue names are `<prefix><cluster>` and `<prefix><cluster>-dlq`. @default 'bucketflow-tasks-' */
  readonly queuePrefix?: string;
  /** Receives before a message goes to the cluster's DLQ. @default 5 */
  readonly maxReceiveCount?: number;
  readonly clock?: () => number;
}

/** The body of a task message: which attempt of which task may be claimed. */
export interface TaskMessage {
  readonly jobId: string;
  readonly taskId: string;
  readonly attempt: number;
  readonly cluster: string;
  readonly notBefore: number;
}

/**
 * Sends tasks to their cluster's queue, 10 per SendMessageBatch call, with a
 * delay up to the task's `notBefore` (retry backoff). Each cluster has its
 * own queue and DLQ, created on first use when they do not exist yet (a
 * cluster the CDK stack declared already has them). The message only names
 * the task; its truth is the job store's item.
 *
 * @example
 * ```ts
 * const dispatcher = new SqsTaskDispatcher({ client: sqs });
 * await dispatcher.dispatch(result.runnable);
 * ```
 */
export class SqsTaskDispatcher {
  readonly #client: SQSClient;
  readonly #prefix: string;
  readonly #maxReceiveCount: number;
  readonly #clock: () => number;
  readonly #urls = new Map<string, Promise<string>>();

  constructor(options: SqsTaskDispatcherOptions) {
    this.#client = options.client;
    this.#prefix = options.queuePrefix ?? 'bucketflow-tasks-';
    this.#maxReceiveCount = options.maxReceiveCount ?? 5;
    this.#clock = options.clock ?? Date.now;
  }

  /** Sends every task; throws {@link TaskSendError} naming the tasks SQS refused after retries. */
  async dispatch(tasks: readonly TaskDispatch[]): Promise<void> {
    const byCluster = new Map<string, TaskDispatch[]>();
    for (const task of tasks) {
      const list = byCluster.get(task.cluster) ?? [];
      list.push(task);
      byCluster.set(task.cluster, list);
    }
    const failed: string[] = [];
    for (const [cluster, clusterTasks] of byCluster) {
      const queueUrl = await this.queueUrl(cluster);
      for (let i = 0; i < clusterTasks.length; i += SQS_BATCH_SIZE) {
        failed.push(
          ...(await this.#sendBatch(queueUrl, clusterTasks.slice(i, i + SQS_BATCH_SIZE))),
        );
      }
    }
    if (failed.length > 0) {
      throw new TaskSendError(
        `SQS refused ${failed.length} task message(s) after ${SEND_ATTEMPTS} attempts: ${failed.join(', ')}; the reconciler re-sends them`,
      );
    }
  }

  async #sendBatch(queueUrl: string, tasks: readonly TaskDispatch[]): Promise<string[]> {
    const now = this.#clock();
    let entries: SendMessageBatchRequestEntry[] = tasks.map((task, index) => ({
      Id: String(index),
      MessageBody: JSON.stringify(toMessage(task)),
      DelaySeconds: Math.min(
        SQS_MAX_DELAY_SECONDS,
        Math.max(0, Math.ceil((task.notBefore - now) / 1000)),
      ),
    }));
    for (let attempt = 1; attempt <= SEND_ATTEMPTS && entries.length > 0; attempt++) {
      const result = await this.#client.send(
        new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }),
      );
      const failedIds = new Set((result.Failed ?? []).map((failure) => failure.Id));
      entries = entries.filter((entry) => failedIds.has(entry.Id));
      if (entries.length > 0)
        await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    }
    return entries.map((entry) => {
      const task = tasks[Number(entry.Id)];
      return task ? `${task.jobId}/${task.taskId}` : String(entry.Id);
    });
  }

  /** The URL of a cluster's queue, creating it and its DLQ when missing. */
  queueUrl(cluster: string): Promise<string> {
    let url = this.#urls.get(cluster);
    if (!url) {
      url = this.#resolveQueue(cluster);
      url.catch(() => this.#urls.delete(cluster));
      this.#urls.set(cluster, url);
    }
    return url;
  }

  async #resolveQueue(cluster: string): Promise<string> {
    const name = `${this.#prefix}${cluster}`;
    try {
      const found = await this.#client.send(new GetQueueUrlCommand({ QueueName: name }));
      if (found.QueueUrl) return found.QueueUrl;
    } catch (error) {
      if (!(error instanceof QueueDoesNotExist)) throw error;
    }
    const dlq = await this.#client.send(
      new CreateQueueCommand({
        QueueName: `${name}-dlq`,
        Attributes: {
          SqsManagedSseEnabled: 'true',
          MessageRetentionPeriod: String(14 * 24 * 3600),
        },
      }),
    );
    const dlqAttributes = await this.#client.send(
      new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const created = await this.#client.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: {
          SqsManagedSseEnabled: 'true',
          ReceiveMessageWaitTimeSeconds: '20',
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: dlqAttributes.Attributes?.QueueArn,
            maxReceiveCount: this.#maxReceiveCount,
          }),
        },
      }),
    );
    if (!created.QueueUrl) throw new TaskSendError(`SQS returned no URL for queue ${name}`);
    return created.QueueUrl;
  }
}

function toMessage(task: TaskDispatch): TaskMessage {
  return {
    jobId: task.jobId,
    taskId: task.taskId,
    attempt: task.attempt,
    cluster: task.cluster,
    notBefore: task.notBefore,
  };
}
