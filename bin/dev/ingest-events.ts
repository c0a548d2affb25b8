import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  notificationToEventBridge,
  type S3EventBridgeEvent,
  s3NotificationRecordSchema,
} from '../../lambdas/adapters/aws/events/s3-event-parsing.js';
import { sendMessages } from '../../lambdas/adapters/aws/queues/send-messages.js';
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
    const refused = await sendMessages(
      sqs,
      queueUrl,
      events.map((event) => ({ body: JSON.stringify(event) })),
      // The caller retries the whole send (the folder watcher on its next scan).
      { maxAttempts: 1 },
    );
    if (refused.length > 0) {
      throw new DevStackError(
        `the ingest queue refused ${refused.length} event(s): ${refused[0]?.reason || refused[0]?.code}`,
      );
    }
  };
}

export interface S3EventForwarderOptions {
  /** The S3 server's notification emitter (`LocalServers.s3Events`). */
  readonly emitter: EventEmitter;
  /**
   * Takes the events of one S3 request, synchronously, before the request is
   * answered (the durable ingest journals them here).
   */
  readonly accept: (events: readonly S3EventBridgeEvent[]) => void;
  /** Buckets whose events are not ingested (the job cache bucket). */
  readonly skipBuckets?: ReadonlySet<string>;
  /** Called for each forwarded event. */
  readonly onEvent?: (event: S3EventBridgeEvent) => void;
  readonly onError?: (error: unknown) => void;
  /** Epoch ms, for sequencers. @default Date.now */
  readonly clock?: () => number;
}

/** A running forwarder; `stop()` unsubscribes. */
export interface S3EventForwarder {
  stop(): void;
}

/**
 * Converts the S3 server's notification records into the EventBridge
 * "Object Created" / "Object Deleted" events the AWS rule delivers and hands
 * them to `accept` while the S3 request is still open, so that an answered
 * PUT has its event on record. The server's records carry keys raw (real S3
 * notifications URL-encode them), so keys pass unchanged. Each event gets a
 * unique id and a sequencer unique per process: the server derives its
 * sequencer from the millisecond alone, which would make two writes of a key
 * in one millisecond look like one. Errors go to `onError`, never into the
 * S3 request.
 *
 * @example
 * ```ts
 * const forwarder = forwardS3Events({ emitter: servers.s3Events, accept: (events) => ingest.accept(events) });
 * forwarder.stop();
 * ```
 */
export function forwardS3Events(options: S3EventForwarderOptions): S3EventForwarder {
  const sequencer = sequencerSource(options.clock ?? Date.now);
  const listener = (notification: { Records?: unknown[] }) => {
    try {
      const events: S3EventBridgeEvent[] = [];
      for (const record of notification?.Records ?? []) {
        const parsed = s3NotificationRecordSchema.safeParse(record);
        if (!parsed.success) continue;
        if (options.skipBuckets?.has(parsed.data.s3.bucket.name)) continue;
        const event = notificationToEventBridge(
          {
            ...parsed.data,
            s3: { ...parsed.data.s3, object: { ...parsed.data.s3.object, sequencer: sequencer() } },
          },
          { keyEncoding: 'raw', id: randomUUID() },
        );
        events.push(event);
      }
      if (events.length === 0) return;
      options.accept(events);
      for (const event of events) options.onEvent?.(event);
    } catch (error) {
      options.onError?.(error);
    }
  };
  options.emitter.on('event', listener);
  return {
    stop() {
      options.emitter.off('event', listener);
    },
  };
}

/**
 * Sequencers that grow with time and never repeat in this process: 12 hex
 * digits of epoch ms and 6 of a counter, compared as strings like S3's.
 */
function sequencerSource(clock: () => number): () => string {
  let lastMs = 0;
  let counter = 0;
  return () => {
    const now = Math.max(clock(), lastMs);
    counter = now === lastMs ? counter + 1 : 0;
    lastMs = now;
    return (
      Math.floor(now).toString(16).toUpperCase().padStart(12, '0') +
      counter.toString(16).toUpperCase().padStart(6, '0')
    );
  };
}
