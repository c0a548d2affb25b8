import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { groupBy, mapConcurrent } from '../../../core/collections.js';
import { routeKey, taskRouteOf } from '../../../core/jobs/task-routing.js';
import type {
  QueueDepth,
  ReceivedTask,
  ReceiveOptions,
  TaskMessage,
  TaskQueue,
  TaskReceipt,
  TaskRoute,
} from '../../../core/ports/task-queue.js';
import { type RefusedEntry, TaskSendError } from '../../../core/ports/task-queue.js';
import { ensureTaskQueue, findQueueUrl, isMissingQueue, queueDepth } from './queue-setup.js';
import {
  type InvalidMessageHandler,
  refusal,
  SQS_BATCH_MAX_ENTRIES,
  SQS_MAX_VISIBILITY_SECONDS,
  sqsInteger,
  TASK_QUEUE_MAX_RECEIVE_COUNT,
  TASK_QUEUE_VISIBILITY_SECONDS,
  TASK_QUEUE_WAIT_SECONDS,
  toReceivedTasks,
} from './task-messages.js';
import {
  deadLetterQueueName,
  TASK_QUEUE_PREFIX,
  taskQueueName,
  validateQueuePrefix,
} from './task-queue-names.js';
import { ackOne, ackReceipts, releaseOne, releaseReceipts } from './task-receipts.js';
import { receiveTasks } from './task-receive.js';
import { CoalescingSender, sendToQueue } from './task-send.js';

/** Calls per batch when SQS refuses some entries, the first included. */
const SEND_ATTEMPTS = 4;
const RETRY_BASE_DELAY_MS = 100;
/** Batch calls in flight at once per `send`/`ackAll`. */
const BATCH_CONCURRENCY = 8;
/** SQS tag values: letters, digits, spaces and `_ . : / = + - @`, at most 256 characters. */
const TAG_VALUE_UNSAFE = /[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu;

export interface SqsTaskQueueOptions {
  readonly client: SQSClient;
  /** Queue names start with it (see task-queue-names.ts). @default 'bucketflow-tasks-' */
  readonly prefix?: string;
  /** Receives before a message moves to the DLQ, for queues created here. @default 5 */
  readonly maxReceiveCount?: number;
  /** Visibility timeout of queues created here, in seconds. @default 300 */
  readonly visibilitySeconds?: number;
  /** ReceiveMessageWaitTimeSeconds of queues created here (tests use 0 or 1). @default 20 */
  readonly waitSeconds?: number;
  /** Tags for queues created here, besides `bucketflow:cluster`, `bucketflow:task` and `bucketflow:role`. */
  readonly tags?: Readonly<Record<string, string>>;
  /** Calls per batch when entries fail, the first included. @default 4 */
  readonly maxAttempts?: number;
  /** First backoff between those calls. @default 100 */
  readonly retryBaseDelayMs?: number;
  /** Called for a delivered message that is not a task message; it is left to reach the DLQ. */
  readonly onInvalidMessage?: InvalidMessageHandler;
  /**
   * Whether a long poll for several messages returns as soon as one is
   * there, as on SQS. The local SQS server waits until all arrived or the
   * wait ended; with `false` receives ask for one message on long polls and
   * fill batches with short polls while the queue keeps them coming.
   * @default true
   */
  readonly partialLongPolls?: boolean;
  /** Epoch ms; turns `notBefore` into delays. @default Date.now */
  readonly clock?: () => number;
}

/**
 * {@link TaskQueue} on SQS: one queue per route (cluster, task name, major
 * version), created on first use with a redrive policy to the cluster's
 * dead-letter queue, SQS-managed encryption and long polling. Sends, deletes
 * and visibility changes go 10 per batch call, and sends to one queue that
 * overlap in time share calls (task-send.ts); entries SQS refuses are
 * retried alone with backoff, then reported.
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
  readonly #settings: {
    maxReceiveCount: number;
    visibilitySeconds: number;
    waitSeconds: number;
    tags: Readonly<Record<string, string>>;
  };
  readonly #retry: { maxAttempts: number; baseDelayMs: number; concurrency: number };
  readonly #onInvalidMessage: InvalidMessageHandler | undefined;
  readonly #partialLongPolls: boolean;
  readonly #clock: () => number;
  /** Queue URL per route; a promise so that concurrent first uses create the queue once. */
  readonly #urls = new Map<string, Promise<string>>();
  /** One sender per queue URL, so that concurrent sends to a queue share batch calls. */
  readonly #senders = new Map<string, CoalescingSender>();
  /** Routes whose last receive filled its batch (local server mode: poll short while busy). */
  readonly #busy = new Set<string>();

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
    this.#partialLongPolls = options.partialLongPolls ?? true;
    this.#clock = options.clock ?? Date.now;
  }

  /** The URL of a route's queue, created with its cluster's DLQ when missing; cached per instance. */
  ensureRouteQueue(route: TaskRoute): Promise<string> {
    const key = routeKey(route);
    let url = this.#urls.get(key);
    if (!url) {
      const names = {
        queue: taskQueueName(route, this.#prefix),
        deadLetterQueue: deadLetterQueueName(route.cluster, this.#prefix),
      };
      const cluster = { 'bucketflow:cluster': route.cluster };
      url = ensureTaskQueue(this.#client, names, {
        ...this.#settings,
        tags: {
          ...this.#settings.tags,
          ...cluster,
          'bucketflow:task': tagValue(`${route.taskName}@v${route.versionMajor}`),
        },
        deadLetterTags: { ...this.#settings.tags, ...cluster },
      });
      this.#urls.set(key, url);
      url.catch(() => this.#urls.delete(key));
    }
    return url;
  }

  async send(messages: readonly TaskMessage[]): Promise<void> {
    const refused: RefusedEntry<TaskMessage>[] = [];
    const byRoute = groupBy(messages, (message) =>
      routeKey(taskRouteOf(message.cluster, message.identifier)),
    );
    await mapConcurrent([...byRoute.values()], this.#retry.concurrency, async (group) => {
      const first = group[0] as TaskMessage;
      const route = taskRouteOf(first.cluster, first.identifier);
      let url: string;
      try {
        url = await this.ensureRouteQueue(route);
      } catch (error) {
        refused.push(...group.map((entry) => refusal(entry, error)));
        return;
      }
      const failed = await this.#senderFor(url).send(group);
      // A queue deleted under a cached URL is created again on the next use.
      if (failed.some(({ code }) => code === 'QueueDoesNotExist'))
        this.#urls.delete(routeKey(route));
      refused.push(...failed);
    });
    if (refused.length > 0) throw new TaskSendError(refused);
  }

  /** The queue's sender: sends that overlap in time share batch calls (see CoalescingSender). */
  #senderFor(url: string): CoalescingSender {
    let sender = this.#senders.get(url);
    if (!sender) {
      sender = new CoalescingSender((batch) =>
        sendToQueue(this.#client, url, batch, this.#clock(), this.#retry),
      );
      this.#senders.set(url, sender);
    }
    return sender;
  }

  async receive(route: TaskRoute, options: ReceiveOptions = {}): Promise<ReceivedTask[]> {
    try {
      return await this.#receiveOnce(route, options);
    } catch (error) {
      if (!isMissingQueue(error)) throw error;
      // The queue went away under the cached URL (local mode's SQS server restarted while this
      // runner waited, or someone deleted it): create it again, once.
      this.#urls.delete(routeKey(route));
      return this.#receiveOnce(route, options);
    }
  }

  async #receiveOnce(route: TaskRoute, options: ReceiveOptions): Promise<ReceivedTask[]> {
    const max = sqsInteger('max', options.max ?? SQS_BATCH_MAX_ENTRIES, 1, SQS_BATCH_MAX_ENTRIES);
    const url = await this.ensureRouteQueue(route);
    const key = routeKey(route);
    const messages = await receiveTasks(
      (request) =>
        this.#client.send(
          new ReceiveMessageCommand({
            QueueUrl: url,
            MaxNumberOfMessages: request.max,
            MessageSystemAttributeNames: ['ApproximateReceiveCount'],
            // The deprecated parameter too: the local SQS server only reads this one.
            AttributeNames: ['All'],
            ...(request.waitSeconds === undefined ? {} : { WaitTimeSeconds: request.waitSeconds }),
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
          }),
          options.signal ? { abortSignal: options.signal } : {},
        ),
      {
        max,
        waitSeconds:
          options.waitSeconds === undefined
            ? undefined
            : sqsInteger('waitSeconds', options.waitSeconds, 0, 20),
        partialLongPolls: this.#partialLongPolls,
        busy: this.#busy.has(key),
        signal: options.signal,
      },
    );
    if (messages.busy) this.#busy.add(key);
    else this.#busy.delete(key);
    return toReceivedTasks(messages.messages, route, url, this.#onInvalidMessage);
  }

  ack(receipt: TaskReceipt): Promise<void> {
    return ackOne(this.#client, receipt);
  }

  ackAll(receipts: readonly TaskReceipt[]): Promise<void> {
    return ackReceipts(this.#client, receipts, this.#retry);
  }

  release(receipt: TaskReceipt, delaySeconds: number): Promise<void> {
    return releaseOne(this.#client, receipt, delaySeconds);
  }

  releaseAll(receipts: readonly TaskReceipt[], delaySeconds: number): Promise<void> {
    return releaseReceipts(this.#client, receipts, delaySeconds, this.#retry);
  }

  async depth(route: TaskRoute): Promise<QueueDepth> {
    const [url, deadLetterUrl] = await Promise.all([
      this.#urls.get(routeKey(route)) ??
        findQueueUrl(this.#client, taskQueueName(route, this.#prefix)),
      findQueueUrl(this.#client, deadLetterQueueName(route.cluster, this.#prefix)),
    ]);
    return queueDepth(this.#client, url, deadLetterUrl);
  }
}

function tagValue(text: string): string {
  return text.replace(TAG_VALUE_UNSAFE, '_').slice(0, 256);
}
