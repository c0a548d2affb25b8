import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type QueueAttributeName,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { QueueDepth } from '../../../core/ports/task-queue.js';
import { TaskQueueUnavailableError } from '../../../core/ports/task-queue.js';
import { TASK_QUEUE_RETENTION_SECONDS } from './task-messages.js';

/** Attributes of a route's task queue when the app creates it. */
export interface TaskQueueSettings {
  readonly maxReceiveCount: number;
  readonly visibilitySeconds: number;
  readonly waitSeconds: number;
  /** Tags of the route's queue. */
  readonly tags: Readonly<Record<string, string>>;
  /** Tags of the cluster's dead-letter queue, when this call creates it. */
  readonly deadLetterTags: Readonly<Record<string, string>>;
}

/**
 * The URL of a queue, or undefined when no queue has this name.
 *
 * @example
 * ```ts
 * const url = await findQueueUrl(client, 'bucketflow-tasks-gpu');
 * ```
 */
export async function findQueueUrl(client: SQSClient, name: string): Promise<string | undefined> {
  try {
    const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: name }));
    return QueueUrl;
  } catch (error) {
    if (isMissingQueue(error)) return undefined;
    throw error;
  }
}

/**
 * Returns the URL of a route's queue, creating it and its cluster's
 * dead-letter queue when missing. A queue that exists (made by the CDK
 * construct or an earlier run) is used as it is: its attributes are never
 * changed here. Concurrent creators are safe: CreateQueue with identical
 * attributes returns the existing queue, and a creator that loses to
 * different attributes falls back to GetQueueUrl.
 *
 * @example
 * ```ts
 * const url = await ensureTaskQueue(client, { queue: taskQueueName(route), deadLetterQueue: deadLetterQueueName('gpu') }, settings);
 * ```
 */
export async function ensureTaskQueue(
  client: SQSClient,
  names: { queue: string; deadLetterQueue: string },
  settings: TaskQueueSettings,
): Promise<string> {
  const existing = await findQueueUrl(client, names.queue);
  if (existing) return existing;
  const common = {
    SqsManagedSseEnabled: 'true',
    MessageRetentionPeriod: String(TASK_QUEUE_RETENTION_SECONDS),
  };
  return ensureQueueWithDeadLetter(client, names, {
    maxReceiveCount: settings.maxReceiveCount,
    deadLetterQueue: {
      attributes: common,
      tags: { ...settings.deadLetterTags, 'bucketflow:role': 'task-dead-letter-queue' },
    },
    queue: {
      attributes: {
        ...common,
        VisibilityTimeout: String(settings.visibilitySeconds),
        ReceiveMessageWaitTimeSeconds: String(settings.waitSeconds),
      },
      tags: { ...settings.tags, 'bucketflow:role': 'task-queue' },
    },
  });
}

/**
 * Creates (or finds) a cluster's task dead-letter queue on its own, as
 * {@link ensureTaskQueue} makes it: local mode puts restored dead letters back
 * into it after a restart, before any route queue of the cluster exists again.
 *
 * @example
 * ```ts
 * const url = await ensureTaskDeadLetterQueue(client, 'bucketflow-tasks-default-dlq');
 * ```
 */
export function ensureTaskDeadLetterQueue(client: SQSClient, name: string): Promise<string> {
  return createOrFind(client, name, {
    attributes: {
      SqsManagedSseEnabled: 'true',
      MessageRetentionPeriod: String(TASK_QUEUE_RETENTION_SECONDS),
    },
    tags: { 'bucketflow:role': 'task-dead-letter-queue' },
  });
}

/** Attributes and tags of one queue of a {@link ensureQueueWithDeadLetter} pair. */
export interface QueueDefinition {
  readonly attributes: Readonly<Record<string, string>>;
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * Creates (or finds) a dead-letter queue, then the queue whose redrive
 * policy sends a message there after `maxReceiveCount` receives; returns the
 * queue's URL. Concurrent creators are safe (see {@link ensureTaskQueue}).
 *
 * @example
 * ```ts
 * const url = await ensureQueueWithDeadLetter(client, { queue: 'in', deadLetterQueue: 'in-dlq' }, {
 *   maxReceiveCount: 5, queue: { attributes: {} }, deadLetterQueue: { attributes: {} },
 * });
 * ```
 */
export async function ensureQueueWithDeadLetter(
  client: SQSClient,
  names: { queue: string; deadLetterQueue: string },
  spec: {
    readonly maxReceiveCount: number;
    readonly queue: QueueDefinition;
    readonly deadLetterQueue: QueueDefinition;
  },
): Promise<string> {
  const deadLetterUrl = await createOrFind(client, names.deadLetterQueue, spec.deadLetterQueue);
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: deadLetterUrl, AttributeNames: ['QueueArn'] }),
  );
  const redrivePolicy = {
    deadLetterTargetArn: Attributes?.QueueArn,
    maxReceiveCount: spec.maxReceiveCount,
  };
  return createOrFind(client, names.queue, {
    attributes: { ...spec.queue.attributes, RedrivePolicy: JSON.stringify(redrivePolicy) },
    tags: spec.queue.tags,
  });
}

async function createOrFind(
  client: SQSClient,
  name: string,
  { attributes, tags }: QueueDefinition,
): Promise<string> {
  try {
    const { QueueUrl } = await client.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: { ...attributes },
        ...(tags ? { tags: { ...tags } } : {}),
      }),
    );
    if (QueueUrl) return QueueUrl;
  } catch (error) {
    if (!isNameTaken(error)) throw error;
  }
  const url = await findQueueUrl(client, name);
  if (!url) {
    throw new TaskQueueUnavailableError(
      `SQS queue ${name}: CreateQueue reported it exists but GetQueueUrl cannot find it (was it just deleted? SQS blocks reusing a name for 60 s)`,
    );
  }
  return url;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : '';
}

/** SQS names it QueueDoesNotExist (JSON protocol) or AWS.SimpleQueueService.NonExistentQueue (query protocol). */
export function isMissingQueue(error: unknown): boolean {
  const name = errorName(error);
  return name === 'QueueDoesNotExist' || name.endsWith('NonExistentQueue');
}

/** Another creator made the queue with different attributes (or the CDK did). */
function isNameTaken(error: unknown): boolean {
  const name = errorName(error);
  return name === 'QueueNameExists' || name === 'QueueAlreadyExists';
}

/**
 * Approximate counts of a queue and its cluster's dead-letter queue (one
 * GetQueueAttributes each); a queue that does not exist counts as empty.
 *
 * @example
 * ```ts
 * const { visible, inFlight } = await queueDepth(client, url, deadLetterUrl);
 * ```
 */
export async function queueDepth(
  client: SQSClient,
  url: string | undefined,
  deadLetterUrl: string | undefined,
): Promise<QueueDepth> {
  const [queue, deadLetter] = await Promise.all([
    url ? counts(client, url) : undefined,
    deadLetterUrl ? counts(client, deadLetterUrl) : undefined,
  ]);
  return {
    visible: queue?.ApproximateNumberOfMessages ?? 0,
    inFlight: queue?.ApproximateNumberOfMessagesNotVisible ?? 0,
    delayed: queue?.ApproximateNumberOfMessagesDelayed ?? 0,
    deadLettered:
      (deadLetter?.ApproximateNumberOfMessages ?? 0) +
      (deadLetter?.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

async function counts(
  client: SQSClient,
  url: string,
): Promise<Partial<Record<QueueAttributeName, number>>> {
  const { Attributes = {} } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return Object.fromEntries(
    Object.entries(Attributes).map(([name, value]) => [name, Number(value)]),
  );
}
