import type { EventEmitter } from 'node:events';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { sendInBatches } from '../../lambdas/adapters/aws/partial-batch-retry.js';
import {
  notificationToEventBridge,
  type S3EventBridgeEvent,
  s3NotificationRecordSchema,
} from '../../lambdas/adapters/aws/s3-event-parsing.js';
import {
  entryFailure,
  SQS_BATCH_MAX_ENTRIES,
  SQS_MAX_PAYLOAD_BYTES,
} from '../../lambdas/adapters/aws/sqs-task-messages.js';
import { DevStackError } from './errors.js';

/** Puts events on the ingest queue, as the EventBridge rule does on AWS. */
export type IngestSender = (events: readonly S3EventBridgeEvent[]) => Promise<void>;

/**
 * A sender to the ingest queue at `queueUrl`, ten messages per call; throws
 * when SQS refuses an entry, so the caller can try again.
 *
 * @example
 * ```ts
 * await ingestSender(clients.sqs, stack.ingestQueueUrl)([event]);
 * ```
 */
export function ingestSender(sqs: SQSClient, queueUrl: string): IngestSender {
  return async (events) => {
    const bodies = events.map((event) => JSON.stringify(event));
    const failed = await sendInBatches(
      bodies,
      {
        maxEntries: SQS_BATCH_MAX_ENTRIES,
        maxBytes: SQS_MAX_PAYLOAD_BYTES,
        sizeOf: (body) => Buffer.byteLength(body, 'utf8'),
      },
      async (batch) => {
        const { Failed = [] } = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: batch.map((body, index) => ({ Id: String(index), MessageBody: body })),
          }),
        );
        return Failed.map(entryFailure);
      },
      // The caller retries the whole send (the folder watcher on its next scan).
      { maxAttempts: 1, baseDelayMs: 0, concurrency: 1 },
    );
    if (failed.length > 0) {
      throw new DevStackError(
        `the ingest queue refused ${failed.length} event(s): ${failed[0]?.message || failed[0]?.code}`,
      );
    }
  };
}

export interface S3EventForwarderOptions {
  /** The S3 server's notification emitter (`LocalServers.s3Events`). */
  readonly emitter: EventEmitter;
  readonly send: IngestSender;
  /** Buckets whose events are not ingested (the job cache bucket). */
  readonly skipBuckets?: ReadonlySet<string>;
  /** Called for each forwarded event, before it is sent. */
  readonly onEvent?: (event: S3EventBridgeEvent) => void;
  readonly onError?: (error: unknown) => void;
}

/** A running forwarder; `stop()` unsubscribes and waits for sends under way. */
export interface S3EventForwarder {
  stop(): Promise<void>;
}

/**
 * Converts the S3 server's notification records into the EventBridge
 * "Object Created" / "Object Deleted" events the AWS rule delivers, and
 * sends them to the ingest queue in arrival order.
 *
 * @example
 * ```ts
 * const forwarder = forwardS3Events({ emitter: servers.s3Events, send });
 * await forwarder.stop();
 * ```
 */
export function forwardS3Events(options: S3EventForwarderOptions): S3EventForwarder {
  let chain: Promise<void> = Promise.resolve();
  const listener = (notification: { Records?: unknown[] }) => {
    const events: S3EventBridgeEvent[] = [];
    for (const record of notification?.Records ?? []) {
      const parsed = s3NotificationRecordSchema.safeParse(record);
      if (!parsed.success) continue;
      const event = notificationToEventBridge(parsed.data);
      if (options.skipBuckets?.has(event.detail.bucket.name)) continue;
      options.onEvent?.(event);
      events.push(event);
    }
    if (events.length === 0) return;
    chain = chain
      .then(() => options.send(events))
      .catch((error: unknown) => options.onError?.(error));
  };
  options.emitter.on('event', listener);
  return {
    async stop() {
      options.emitter.off('event', listener);
      await chain;
    },
  };
}
