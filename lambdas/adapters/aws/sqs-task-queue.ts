import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { groupBy, mapConcurrent } from '../../core/collections.js';
import type {
  QueueDepth,
  ReceivedTask,
  ReceiveOptions,
  TaskMessage,
  TaskQueue,
  TaskReceipt,
} from '../../core/ports/task-queue.js';
import {
  InvalidTaskQueueError,
  type RefusedEntry,
  TaskAckError,
  TaskSendError,
} from '../../core/ports/task-queue-errors.js';
import { sendInBatches } from './partial-batch-retry.js';
import {
  ensureTaskQueue,
  findQueueUrl,
  queueDepth,
  type TaskQueueSettings,
} from './sqs-queue-setup.js';
import {
  delaySecondsUntil,
  encodeTaskMessage,
  entryFailure,
  type InvalidMessageHandler,
  refusal,
  SQS_BATCH_MAX_ENTRIES,
  SQS_MAX_PAYLOAD_BYTES,
  SQS_MAX_VISIBILITY_SECONDS,
  sqsInteger,
  TASK_QUEUE_MAX_RECEIVE_COUNT,
  TASK_QUEUE_PREFIX,
  TASK_QUEUE_VISIBILITY_SECONDS,
  TASK_QUEUE_WAIT_SECONDS,
  taskQueueNames,
  toReceivedTasks,
  validateQueuePrefix,
} from './sqs-task-messages.js';

/** Calls per batch when SQS refuses some entries, the first included. */
const SEND_ATTEMPTS = 4;
const RETRY_BASE_DELAY_MS = 100;
/** Batch calls in flight at once per `send`/`ackAll`. */
const BATCH_CONCURRENCY = 8;

export interface SqsTaskQueueOptions {
  readonly client: SQSClient;
  /** Queue names are `<prefix><cluster>` and `<prefix><cluster>-dlq`. @default 'bucketflow-tasks-' */
  readonly prefix?: string;
  /** Receives before a message moves to the DLQ, for queues created here. @default 5 */
  readonly maxReceiveCount?: number;
  /** Visibility timeout of queues created here, in seconds. @default 300 */
  readonly visibilitySeconds?: number;
  /** ReceiveMessageWaitTimeSeconds of queues created here (tests use 0 or 1). @default 20 */
  readonly waitSeconds?: number;
  /** Tags for queues created here, besides `bucketflow:cluster` and `bucketflow:role`. */
  readonly tags?: Readonly<Record<string, string>>;
  /** Calls per batch when entries fail, the first included. @default 4 */
  readonly maxAttempts?: number;
  /** First backoff between those calls. @default 100 */
  readonly retryBaseDelayMs?: number;
  /** Called for a delivered message that is not a task message; it is left to reach the DLQ. */
  readonly onInvalidMessage?: InvalidMessageHandler;
  /** Epoch ms; turns `notBefore` into delays. @default Date.now */
  readonly clock?: () => number;
}

/**
 * {@link TaskQueue} on SQS: one queue per cluster, created on first use with
 * a dead-letter queue (redrive after `maxReceiveCount` receives), SQS-managed
 * encryption and long polling. Sends and deletes go 10 per batch call;
 * entries SQS refuses are retried alone with backoff, then reported.
 *
 * @example
 * ```ts
 * const queue = new SqsTaskQueue({ client: clients.sqs, prefix: 'bucketflow-tasks-' });
 * await queue.send(submitted.runnable);
 * ```
 */
export class SqsTaskQueue implements TaskQueue {
  readonly #client: SQSClient;
  readonly #prefix: string;
  readonly #settings: TaskQueueSettings;
  readonly #retry: { maxAttempts: number; baseDelayMs: number; concurrency: number };
  readonly #onInvalidMessage: InvalidMessageHandler | undefined;
  readonly #clock: () => number;
  /** Queue URL per cluster; a promise so that concurrent first uses create the queue once. */
  readonly #urls = new Map<string, Promise<string>>();

  constructor(options: SqsTaskQueueOptions) {
    this.#client = options.client;
    this.#prefix = options.prefix ?? TASK_QUEUE_PREFIX;
    validateQueuePrefix(this.#prefix);
    this.#settings = {
      maxReceiveCount: sqsInteger(
        'maxReceiveCount',
        options.maxReceiveCount ?? TASK_QUEUE_MAX_RECEIVE_COUNT,
        1,
        1000,
      ),
      visibilitySeconds: sqsInteger(
        'visibilitySeconds',
        options.visibilitySeconds ?? TASK_QUEUE_VISIBILITY_SECONDS,
        0,
        SQS_MAX_VISIBILITY_SECONDS,
      ),
      waitSeconds: sqsInteger('waitSeconds', options.waitSeconds ?? TASK_QUEUE_WAIT_SECONDS, 0, 20),
      tags: options.tags ?? {},
    };
    this.#retry = {
      maxAttempts: sqsInteger('maxAttempts', options.maxAttempts ?? SEND_ATTEMPTS, 1, 20),
      baseDelayMs: options.retryBaseDelayMs ?? RETRY_BASE_DELAY_MS,
      concurrency: BATCH_CONCURRENCY,
    };
    this.#onInvalidMessage = options.onInvalidMessage;
    this.#clock = options.clock ?? Date.now;
  }

  /** The URL of a cluster's queue, created with its DLQ when missing; cached per instance. */
  ensureClusterQueue(cluster: string): Promise<string> {
    let url = this.#urls.get(cluster);
    if (!url) {
      const names = taskQueueNames(cluster, this.#prefix);
      url = ensureTaskQueue(this.#client, names, {
        ...this.#settings,
        tags: { ...this.#settings.tags, 'bucketflow:cluster': cluster },
      });
      this.#urls.set(cluster, url);
      url.catch(() => this.#urls.delete(cluster));
    }
    return url;
  }

  async send(messages: readonly TaskMessage[]): Promise<void> {
    const now = this.#clock();
    const refused: RefusedEntry<TaskMessage>[] = [];
    const byCluster = groupBy(messages, (message) => message.cluster);
    await mapConcurrent([...byCluster], this.#retry.concurrency, async ([cluster, group]) => {
      let url: string;
      try {
        url = await this.ensureClusterQueue(cluster);
      } catch (error) {
        refused.push(...group.map((entry) => refusal(entry, error)));
        return;
      }
      const encoded: Array<{ message: TaskMessage; body: string; delaySeconds: number }> = [];
      for (const message of group) {
        try {
          const body = encodeTaskMessage(message);
          encoded.push({ message, body, delaySeconds: delaySecondsUntil(message.notBefore, now) });
        } catch (error) {
          refused.push(refusal(message, error));
        }
      }
      const failed = await sendInBatches(
        encoded,
        {
          maxEntries: SQS_BATCH_MAX_ENTRIES,
          maxBytes: SQS_MAX_PAYLOAD_BYTES,
          sizeOf: (entry) => Buffer.byteLength(entry.body, 'utf8'),
        },
        async (batch) => {
          const { Failed = [] } = await this.#client.send(
            new SendMessageBatchCommand({
              QueueUrl: url,
              Entries: batch.map((entry, index) => ({
                Id: String(index),
                MessageBody: entry.body,
                DelaySeconds: entry.delaySeconds,
              })),
            }),
          );
          return Failed.map(entryFailure);
        },
        this.#retry,
      );
      this.#forgetIfGone(cluster, failed);
      refused.push(
        ...failed.map(({ entry, code, message }) => ({ entry: entry.message, code, message })),
      );
    });
    if (refused.length > 0) throw new TaskSendError(refused);
  }

  async receive(cluster: string, options: ReceiveOptions = {}): Promise<ReceivedTask[]> {
    const max = sqsInteger('max', options.max ?? SQS_BATCH_MAX_ENTRIES, 1, SQS_BATCH_MAX_ENTRIES);
    const url = await this.ensureClusterQueue(cluster);
    const command = new ReceiveMessageCommand({
      QueueUrl: url,
      MaxNumberOfMessages: max,
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      // The deprecated parameter too: the local SQS server only reads this one.
      AttributeNames: ['All'],
      ...(options.waitSeconds === undefined
        ? {}
        : { WaitTimeSeconds: sqsInteger('waitSeconds', options.waitSeconds, 0, 20) }),
      ...(options.visibilitySeconds === undefined
        ? {}
        : {
            VisibilityTimeout: sqsInteger(
              'visibilitySeconds',
              options.visibilitySeconds,
              0,
              SQS_MAX_VISIBILITY_SECONDS,
            ),
          }),
    });
    let messages: Message[];
    try {
      const output = await this.#client.send(
        command,
        options.signal ? { abortSignal: options.signal } : {},
      );
      messages = output.Messages ?? [];
    } catch (error) {
      if (options.signal?.aborted) return [];
      throw error;
    }
    return toReceivedTasks(messages, cluster, this.#onInvalidMessage);
  }

  async ack(receipt: TaskReceipt): Promise<void> {
    const url = await this.ensureClusterQueue(receipt.cluster);
    await this.#client.send(
      new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: receipt.handle }),
    );
  }

  async ackAll(receipts: readonly TaskReceipt[]): Promise<void> {
    const refused: RefusedEntry<TaskReceipt>[] = [];
    const byCluster = groupBy(receipts, (receipt) => receipt.cluster);
    await mapConcurrent([...byCluster], this.#retry.concurrency, async ([cluster, group]) => {
      const url = await this.ensureClusterQueue(cluster);
      const failed = await sendInBatches(
        group,
        { maxEntries: SQS_BATCH_MAX_ENTRIES },
        async (batch) => {
          const { Failed = [] } = await this.#client.send(
            new DeleteMessageBatchCommand({
              QueueUrl: url,
              Entries: batch.map((receipt, index) => ({
                Id: String(index),
                ReceiptHandle: receipt.handle,
              })),
            }),
          );
          return Failed.map(entryFailure);
        },
        this.#retry,
      );
      refused.push(...failed);
    });
    if (refused.length > 0) throw new TaskAckError(refused);
  }

  async release(receipt: TaskReceipt, delaySeconds: number): Promise<void> {
    if (!Number.isFinite(delaySeconds) || delaySeconds < 0) {
      throw new InvalidTaskQueueError(
        'delaySeconds',
        `must be a number >= 0, got ${delaySeconds}`,
        'use 0 to make the message visible at once',
      );
    }
    const url = await this.ensureClusterQueue(receipt.cluster);
    await this.#client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: receipt.handle,
        VisibilityTimeout: Math.min(Math.ceil(delaySeconds), SQS_MAX_VISIBILITY_SECONDS),
      }),
    );
  }

  async depth(cluster: string): Promise<QueueDepth> {
    const names = taskQueueNames(cluster, this.#prefix);
    const [url, deadLetterUrl] = await Promise.all([
      this.#urls.get(cluster) ?? findQueueUrl(this.#client, names.queue),
      findQueueUrl(this.#client, names.deadLetterQueue),
    ]);
    return queueDepth(this.#client, url, deadLetterUrl);
  }

  /** A queue deleted under a cached URL is created again on the next use. */
  #forgetIfGone(cluster: string, failed: ReadonlyArray<{ code: string }>): void {
    if (failed.some(({ code }) => code === 'QueueDoesNotExist')) this.#urls.delete(cluster);
  }
}
