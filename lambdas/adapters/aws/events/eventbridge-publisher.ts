import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  type BatchReadyOptions,
  batchReadyEntries,
  type EventEntry,
  MAX_EVENT_ENTRY_BYTES,
} from '../../../core/events/batch-ready-event.js';
import type { BatchToPublish, EventPublisher } from '../../../core/ports/event-publisher.js';
import { EventPublishError, type UnpublishedEvent } from '../../../core/ports/event-publisher.js';
import { sendInBatches } from '../partial-batch-retry.js';

/** EventBridge: entries per PutEvents call. */
export const PUT_EVENTS_MAX_ENTRIES = 10;
/** Calls per batch when entries fail, the first included. */
const PUT_ATTEMPTS = 4;
const RETRY_BASE_DELAY_MS = 100;
const PUT_CONCURRENCY = 4;
/** Entry error codes that another call may cure; anything else is a fault of the entry. */
const RETRYABLE_CODES = new Set(['InternalFailure', 'InternalException', 'ThrottlingException']);

export interface EventBridgePublisherOptions {
  readonly client: EventBridgeClient;
  /** Name or ARN of the custom bus. */
  readonly eventBusName: string;
  /** @default 'bucketflow' */
  readonly source?: string;
  /** Batches table name, put in the members pointer of events whose keys are not inline. */
  readonly membersTable?: string;
  /** @default 4 */
  readonly maxAttempts?: number;
  /** @default 100 */
  readonly retryBaseDelayMs?: number;
}

/**
 * {@link EventPublisher} on an EventBridge custom bus: PutEvents with at
 * most 10 entries and 256 KiB per call. Entries EventBridge refuses
 * (FailedEntryCount, per-entry ErrorCode) are sent again alone with backoff;
 * entries still refused, and entries over 256 KiB, raise EventPublishError
 * after every other entry was published.
 *
 * @example
 * ```ts
 * const publisher = new EventBridgePublisher({ client: clients.eventbridge, eventBusName: 'bucketflow' });
 * await publisher.publishBatchReady(readyBatches);
 * ```
 */
export class EventBridgePublisher implements EventPublisher {
  readonly #client: EventBridgeClient;
  readonly #bus: string;
  readonly #entryOptions: BatchReadyOptions;
  readonly #retry: { maxAttempts: number; baseDelayMs: number; concurrency: number };

  constructor(options: EventBridgePublisherOptions) {
    this.#client = options.client;
    this.#bus = options.eventBusName;
    this.#entryOptions = {
      ...(options.source ? { source: options.source } : {}),
      ...(options.membersTable ? { membersTable: options.membersTable } : {}),
    };
    this.#retry = {
      maxAttempts: options.maxAttempts ?? PUT_ATTEMPTS,
      baseDelayMs: options.retryBaseDelayMs ?? RETRY_BASE_DELAY_MS,
      concurrency: PUT_CONCURRENCY,
    };
  }

  async publishBatchReady(batches: readonly BatchToPublish[]): Promise<void> {
    const { sendable, tooLarge } = batchReadyEntries(batches, this.#entryOptions);
    const unpublished: UnpublishedEvent[] = tooLarge;
    const failed = await sendInBatches(
      sendable,
      {
        maxEntries: PUT_EVENTS_MAX_ENTRIES,
        maxBytes: MAX_EVENT_ENTRY_BYTES,
        sizeOf: (e) => e.size,
      },
      async (batch) => {
        const { Entries = [] } = await this.#client.send(
          new PutEventsCommand({ Entries: batch.map(({ entry }) => this.#requestEntry(entry)) }),
        );
        // Results are positional; a missing result counts as a retryable failure.
        return batch.flatMap((_, index) => {
          const result = Entries[index];
          if (result?.EventId && !result.ErrorCode) return [];
          const code = result?.ErrorCode ?? 'NoResult';
          return [
            {
              index,
              code,
              message: result?.ErrorMessage ?? 'EventBridge returned no result for the entry',
              retryable: code === 'NoResult' || RETRYABLE_CODES.has(code),
            },
          ];
        });
      },
      this.#retry,
    );
    for (const { entry, code, message } of failed) {
      unpublished.push({ batchId: entry.entry.batchId, code, message });
    }
    if (unpublished.length > 0) throw new EventPublishError(unpublished);
  }

  #requestEntry(entry: EventEntry) {
    return {
      EventBusName: this.#bus,
      Source: entry.source,
      DetailType: entry.detailType,
      Detail: entry.detail,
      Resources: [...entry.resources],
      Time: new Date(entry.time),
    };
  }
}
