import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { groupBy, mapConcurrent } from '../../../core/collections.js';
import type { TaskReceipt } from '../../../core/ports/task-queue.js';
import {
  InvalidTaskQueueError,
  type RefusedEntry,
  TaskAckError,
} from '../../../core/ports/task-queue.js';
import {
  type EntryFailure,
  type PartialRetryOptions,
  sendInBatches,
} from '../partial-batch-retry.js';
import {
  entryFailure,
  SQS_BATCH_MAX_ENTRIES,
  SQS_MAX_VISIBILITY_SECONDS,
} from './task-messages.js';

/** Deletes one received task message. */
export async function ackOne(client: SQSClient, receipt: TaskReceipt): Promise<void> {
  await client.send(
    new DeleteMessageCommand({ QueueUrl: receipt.queue, ReceiptHandle: receipt.handle }),
  );
}

/** Deletes received task messages, 10 per DeleteMessageBatch call and queue. */
export async function ackReceipts(
  client: SQSClient,
  receipts: readonly TaskReceipt[],
  retry: PartialRetryOptions,
): Promise<void> {
  await perQueue(receipts, retry, async (url, batch) => {
    const { Failed = [] } = await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: batch.map((receipt, index) => ({
          Id: String(index),
          ReceiptHandle: receipt.handle,
        })),
      }),
    );
    return Failed.map(entryFailure);
  });
}

/** Makes one received message visible again after `delaySeconds`. */
export async function releaseOne(
  client: SQSClient,
  receipt: TaskReceipt,
  delaySeconds: number,
): Promise<void> {
  await client.send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: receipt.queue,
      ReceiptHandle: receipt.handle,
      VisibilityTimeout: visibilityFor(delaySeconds),
    }),
  );
}

/** Makes received messages visible again after `delaySeconds`, 10 per batch call and queue. */
export async function releaseReceipts(
  client: SQSClient,
  receipts: readonly TaskReceipt[],
  delaySeconds: number,
  retry: PartialRetryOptions,
): Promise<void> {
  const visibility = visibilityFor(delaySeconds);
  await perQueue(receipts, retry, async (url, batch) => {
    const { Failed = [] } = await client.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: batch.map((receipt, index) => ({
          Id: String(index),
          ReceiptHandle: receipt.handle,
          VisibilityTimeout: visibility,
        })),
      }),
    );
    return Failed.map(entryFailure);
  });
}

/** Runs a batch call per queue and 10 receipts; throws TaskAckError naming the refused ones. */
async function perQueue(
  receipts: readonly TaskReceipt[],
  retry: PartialRetryOptions,
  call: (url: string, batch: readonly TaskReceipt[]) => Promise<EntryFailure[]>,
): Promise<void> {
  const refused: RefusedEntry<TaskReceipt>[] = [];
  const byQueue = groupBy(receipts, (receipt) => receipt.queue);
  await mapConcurrent([...byQueue], retry.concurrency, async ([url, group]) => {
    refused.push(
      ...(await sendInBatches(
        group,
        { maxEntries: SQS_BATCH_MAX_ENTRIES },
        (batch) => call(url, batch),
        retry,
      )),
    );
  });
  if (refused.length > 0) throw new TaskAckError(refused);
}

function visibilityFor(delaySeconds: number): number {
  if (!Number.isFinite(delaySeconds) || delaySeconds < 0) {
    throw new InvalidTaskQueueError(
      'delaySeconds',
      `must be a number >= 0, got ${delaySeconds}`,
      'use 0 to make the message visible at once',
    );
  }
  return Math.min(Math.ceil(delaySeconds), SQS_MAX_VISIBILITY_SECONDS);
}
