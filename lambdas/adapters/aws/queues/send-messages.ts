import {
  type MessageAttributeValue,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { sendInBatches } from '../partial-batch-retry.js';
import { entryFailure, SQS_BATCH_MAX_ENTRIES, SQS_MAX_PAYLOAD_BYTES } from './task-messages.js';

/** A message to send: its body and message attributes. */
export interface OutgoingMessage {
  readonly body: string;
  readonly attributes?: Readonly<Record<string, MessageAttributeValue>> | undefined;
}

/** A message the queue still refused after the retries, with why. */
export interface RefusedMessage {
  readonly message: OutgoingMessage;
  readonly code: string;
  readonly reason: string;
}

/** Options of {@link sendMessages}. */
export interface SendMessagesOptions {
  /** Calls per batch of ten, the first included. @default 4 */
  readonly maxAttempts?: number;
}

/**
 * Puts messages on the ingest queue as the EventBridge rule does on AWS
 * (ten per SendMessageBatch, at most 256 KiB per call); entries SQS refuses
 * are sent again alone with backoff. Returns those still refused.
 *
 * @example
 * ```ts
 * const refused = await sendMessages(sqs, queueUrl, [{ body: JSON.stringify(event) }]);
 * ```
 */
export async function sendMessages(
  sqs: SQSClient,
  queueUrl: string,
  messages: readonly OutgoingMessage[],
  options: SendMessagesOptions = {},
): Promise<RefusedMessage[]> {
  const failed = await sendInBatches(
    messages,
    {
      maxEntries: SQS_BATCH_MAX_ENTRIES,
      maxBytes: SQS_MAX_PAYLOAD_BYTES,
      sizeOf: (message) => Buffer.byteLength(message.body, 'utf8'),
    },
    async (batch) => {
      const { Failed = [] } = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((message, index) => ({
            Id: String(index),
            MessageBody: message.body,
            ...(message.attributes ? { MessageAttributes: { ...message.attributes } } : {}),
          })),
        }),
      );
      return Failed.map(entryFailure);
    },
    { maxAttempts: options.maxAttempts ?? 4, baseDelayMs: 100, concurrency: 4 },
  );
  return failed.map((failure) => ({
    message: failure.entry,
    code: failure.code,
    reason: failure.message,
  }));
}
