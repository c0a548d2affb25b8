import {
  ChangeMessageVisibilityBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  ListQueuesCommand,
  type ListQueuesCommandOutput,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { chunk } from '../partial-batch-retry.js';
import { SQS_BATCH_MAX_ENTRIES } from './task-messages.js';
import { TASK_DLQ_SUFFIX } from './task-queue-names.js';

/** How long a peek hides the messages it looks at before making them visible again. */
const PEEK_VISIBILITY_SECONDS = 30;
/** How often a redrive's progress is asked for. */
const REDRIVE_POLL_MS = 500;
/** Messages a peek returns at most unless told otherwise. */
export const DEFAULT_PEEK_LIMIT = 100;

/** A dead-letter queue of one deployment and the queue it collects from. */
export interface DeadLetterQueue {
  /** `ingest` for the ingest queue's DLQ, `tasks` for a cluster's task DLQ. */
  readonly kind: 'ingest' | 'tasks';
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  /**
   * The queue whose messages land here, for display: the ingest queue, or
   * for a task DLQ the pattern of its cluster's route queues (one per task
   * name and major version), which all dead-letter into it.
   */
  readonly sourceName: string;
  /**
   * Where a redrive sends the messages: the ingest queue's ARN; undefined
   * for a task DLQ, whose messages go back each to the route queue it came
   * from (SQS records that per message).
   */
  readonly sourceArn: string | undefined;
}

/** A message in a dead-letter queue. */
export interface DeadLetter {
  readonly messageId: string;
  readonly body: string;
  /** When it was first sent (to the source queue), epoch ms. */
  readonly sentAt: number | undefined;
  /** Receives before it was dead-lettered (and peeks since). */
  readonly receiveCount: number | undefined;
  readonly attributes: Readonly<Record<string, MessageAttributeValue>>;
}

/** Where a deployment's queues are. */
export interface DeadLetterSources {
  /** The ingest queue; its DLQ is the target of its redrive policy. */
  readonly ingestQueueUrl?: string | undefined;
  /** Task queues are `<prefix><cluster>_<task>_v<major>_<hash>`, their cluster's DLQ `<prefix><cluster>-dlq`. */
  readonly taskQueuePrefix: string;
}

/**
 * The dead-letter queues of a deployment: the ingest queue's (named by its
 * redrive policy) and every task queue's (listed by the task queue prefix).
 * Works alike on AWS and on the local SQS server.
 *
 * @example
 * ```ts
 * const queues = await findDeadLetterQueues(sqs, { ingestQueueUrl, taskQueuePrefix: 'bucketflow-tasks-' });
 * ```
 */
export async function findDeadLetterQueues(
  sqs: SQSClient,
  sources: DeadLetterSources,
): Promise<DeadLetterQueue[]> {
  const queues: DeadLetterQueue[] = [];
  if (sources.ingestQueueUrl) {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: sources.ingestQueueUrl,
        AttributeNames: ['RedrivePolicy', 'QueueArn'],
      }),
    );
    const target = redriveTarget(Attributes?.RedrivePolicy);
    if (target) {
      const name = target.slice(target.lastIndexOf(':') + 1);
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
      if (QueueUrl) {
        queues.push({
          kind: 'ingest',
          name,
          url: QueueUrl,
          arn: target,
          sourceName: queueName(sources.ingestQueueUrl),
          sourceArn: Attributes?.QueueArn ?? '',
        });
      }
    }
  }
  const urls = await listQueueUrls(sqs, sources.taskQueuePrefix);
  const byName = new Map(urls.map((url) => [queueName(url), url]));
  const ingestNames = new Set(queues.flatMap((queue) => [queue.name, queue.sourceName]));
  for (const [name, url] of byName) {
    if (!name.endsWith(TASK_DLQ_SUFFIX) || ingestNames.has(name)) continue;
    const cluster = name.slice(sources.taskQueuePrefix.length, -TASK_DLQ_SUFFIX.length);
    const arn = await queueArn(sqs, url);
    queues.push({
      kind: 'tasks',
      name,
      url,
      arn,
      sourceName: `${sources.taskQueuePrefix}${cluster}_*`,
      sourceArn: undefined,
    });
  }
  return queues;
}

/**
 * Messages a queue holds (visible and in flight).
 *
 * @example
 * ```ts
 * const depth = await messageCount(sqs, queue.url);
 * ```
 */
export async function messageCount(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/**
 * Looks at up to `limit` messages of a queue without taking them: receives
 * them (hidden meanwhile, so each receive brings new ones), then makes them
 * visible again at once. As in the SQS console, each look counts as a
 * receive; a dead-letter queue has no redrive policy, so that is harmless.
 *
 * @example
 * ```ts
 * const letters = await peekMessages(sqs, queue.url, 50);
 * ```
 */
export async function peekMessages(
  sqs: SQSClient,
  queueUrl: string,
  limit = DEFAULT_PEEK_LIMIT,
): Promise<DeadLetter[]> {
  const seen = new Map<string, DeadLetter>();
  const receipts: string[] = [];
  try {
    while (seen.size < limit) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(SQS_BATCH_MAX_ENTRIES, limit - seen.size),
          VisibilityTimeout: PEEK_VISIBILITY_SECONDS,
          WaitTimeSeconds: 0,
          MessageAttributeNames: ['All'],
          // The local SQS server reads only the older AttributeNames.
          MessageSystemAttributeNames: ['All'],
          AttributeNames: ['All'],
        }),
      );
      let fresh = 0;
      for (const message of Messages) {
        if (message.ReceiptHandle) receipts.push(message.ReceiptHandle);
        if (!message.MessageId || seen.has(message.MessageId)) continue;
        fresh++;
        seen.set(message.MessageId, {
          messageId: message.MessageId,
          body: message.Body ?? '',
          sentAt: numberOrUndefined(message.Attributes?.SentTimestamp),
          receiveCount: numberOrUndefined(message.Attributes?.ApproximateReceiveCount),
          attributes: message.MessageAttributes ?? {},
        });
      }
      if (fresh === 0) break;
    }
  } finally {
    for (const receipts10 of chunk(receipts, { maxEntries: SQS_BATCH_MAX_ENTRIES })) {
      await sqs
        .send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queueUrl,
            Entries: receipts10.map((receipt, index) => ({
              Id: String(index),
              ReceiptHandle: receipt,
              VisibilityTimeout: 0,
            })),
          }),
        )
        .catch(() => undefined);
    }
  }
  return [...seen.values()];
}

/**
 * Moves every message of a dead-letter queue back with SQS's
 * StartMessageMoveTask, which the local SQS server implements too. The
 * ingest DLQ names its destination, so messages restored into a local DLQ
 * after a restart (which lost their source attribute) move as well; a task
 * DLQ collects from every route queue of its cluster, so each message goes
 * back to the one it came from. Task dead letters restored after a local
 * restart have lost that origin and fail the move: the latest move task
 * reports it (see {@link waitForRedrive}). The move runs in SQS; returns its
 * task handle.
 *
 * @example
 * ```ts
 * const handle = await redriveDeadLetters(sqs, queue);
 * ```
 */
export async function redriveDeadLetters(
  sqs: SQSClient,
  queue: Pick<DeadLetterQueue, 'arn' | 'sourceArn'>,
): Promise<string | undefined> {
  const { TaskHandle } = await sqs.send(
    new StartMessageMoveTaskCommand({
      SourceArn: queue.arn,
      ...(queue.sourceArn ? { DestinationArn: queue.sourceArn } : {}),
    }),
  );
  return TaskHandle;
}

/**
 * Waits until the move tasks of `queue` are done (SQS runs them in the
 * background), polling ListMessageMoveTasks; returns the messages moved by
 * the latest, or undefined when it did not finish within `timeoutMs`.
 *
 * @example
 * ```ts
 * const moved = await waitForRedrive(sqs, queue, 60_000);
 * ```
 */
export async function waitForRedrive(
  sqs: SQSClient,
  queue: Pick<DeadLetterQueue, 'arn'>,
  timeoutMs: number,
): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Results = [] } = await sqs.send(
      new ListMessageMoveTasksCommand({ SourceArn: queue.arn, MaxResults: 1 }),
    );
    const latest = Results[0];
    if (latest === undefined || latest.Status === 'COMPLETED') {
      return latest?.ApproximateNumberOfMessagesMoved ?? 0;
    }
    if (latest.Status === 'FAILED' || latest.Status === 'CANCELLED') {
      throw new Error(
        `moving the messages of ${queue.arn} ${latest.Status.toLowerCase()}${latest.FailureReason ? `: ${latest.FailureReason}` : ''}`,
      );
    }
    if (Date.now() > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, REDRIVE_POLL_MS));
  }
}

async function listQueueUrls(sqs: SQSClient, prefix: string): Promise<string[]> {
  const urls: string[] = [];
  let token: string | undefined;
  do {
    const page: ListQueuesCommandOutput = await sqs.send(
      new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 1000, NextToken: token }),
    );
    urls.push(...(page.QueueUrls ?? []));
    token = page.NextToken;
  } while (token);
  return urls;
}

async function queueArn(sqs: SQSClient, url: string): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  return Attributes?.QueueArn ?? '';
}

function redriveTarget(policy: string | undefined): string | undefined {
  if (!policy) return undefined;
  try {
    const target = (JSON.parse(policy) as { deadLetterTargetArn?: unknown }).deadLetterTargetArn;
    return typeof target === 'string' && target !== '' ? target : undefined;
  } catch {
    return undefined;
  }
}

/** The last path segment of a queue URL: its name. */
export function queueName(url: string): string {
  return url.slice(url.lastIndexOf('/') + 1);
}

function numberOrUndefined(text: string | undefined): number | undefined {
  const value = Number(text);
  return text === undefined || !Number.isFinite(value) ? undefined : value;
}
