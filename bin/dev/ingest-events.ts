import type { EventEmitter } from 'node:events';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  notificationToEventBridge,
  type S3EventBridgeEvent,
  s3NotificationRecordSchema,
} from '../../lambdas/adapters/aws/s3-event-parsing.js';
import { DevStackError } from './errors.js';

/** SQS: entries per SendMessageBatch. */
const SEND_BATCH = 10;

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
    for (let start = 0; start < events.length; start += SEND_BATCH) {
      const chunk = events.slice(start, start + SEND_BATCH);
      const { Failed = [] } = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((event, index) => ({
            Id: String(index),
            MessageBody: JSON.stringify(event),
          })),
        }),
      );
      if (Failed.length > 0) {
        throw new DevStackError(
          `the ingest queue refused ${Failed.length} event(s): ${Failed[0]?.Message ?? Failed[0]?.Code}`,
        );
      }
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
