import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  BATCH_READY_DETAIL_TYPE,
  type BatchReadyDetail,
  type BatchReadyOptions,
  batchReadyEntries,
} from '../../core/events/batch-ready-event.js';
import type { BatchToPublish, EventPublisher } from '../../core/ports/event-publisher.js';
import { EventPublishError } from '../../core/ports/event-publisher.js';

/** Account and region of events delivered locally; no AWS account is involved. */
const LOCAL_ACCOUNT = '000000000000';
const LOCAL_REGION = 'local';

/** An event as an EventBridge rule target receives it. */
export interface DeliveredEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  /** ISO 8601, seconds precision, as EventBridge writes it. */
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: BatchReadyDetail;
}

export interface LocalEventBusOptions {
  /** JSON Lines file every event is appended to (parent folders are created). None: memory only. */
  readonly file?: string;
  /** @default 'bucketflow' */
  readonly source?: string;
  /** Batches table name for the members pointer. */
  readonly membersTable?: string;
}

/**
 * The event bus of local mode (there is no local EventBridge): builds the
 * same entries as {@link EventBridgePublisher}, with the same size limit,
 * wraps them in the envelope a rule target receives, appends them to a
 * JSON Lines file and emits them on `events` (`objects-batch-ready`).
 * A listener that throws does not fail the publish: its error is emitted
 * as `listener-error` (a process warning when nobody listens for that).
 *
 * @example
 * ```ts
 * const bus = new LocalEventBus({ file: '.bucketflow/events.jsonl' });
 * bus.events.on('objects-batch-ready', (event: DeliveredEvent) => console.log(event.detail.prefix));
 * await bus.publishBatchReady(readyBatches);
 * ```
 */
export class LocalEventBus implements EventPublisher {
  readonly events = new EventEmitter();
  readonly #file: string | undefined;
  readonly #entryOptions: BatchReadyOptions;
  readonly #published: DeliveredEvent[] = [];

  constructor(options: LocalEventBusOptions = {}) {
    this.#file = options.file;
    this.#entryOptions = {
      ...(options.source ? { source: options.source } : {}),
      ...(options.membersTable ? { membersTable: options.membersTable } : {}),
    };
  }

  /** Every event published by this instance, oldest first. */
  get published(): readonly DeliveredEvent[] {
    return this.#published;
  }

  async publishBatchReady(batches: readonly BatchToPublish[]): Promise<void> {
    const { sendable, tooLarge } = batchReadyEntries(batches, this.#entryOptions);
    const delivered = sendable.map(
      ({ entry }): DeliveredEvent => ({
        version: '0',
        id: randomUUID(),
        'detail-type': entry.detailType,
        source: entry.source,
        account: LOCAL_ACCOUNT,
        time: new Date(entry.time).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        region: LOCAL_REGION,
        resources: [...entry.resources],
        detail: JSON.parse(entry.detail) as BatchReadyDetail,
      }),
    );
    if (delivered.length > 0 && this.#file) {
      await mkdir(dirname(this.#file), { recursive: true });
      await appendFile(this.#file, delivered.map((event) => `${JSON.stringify(event)}\n`).join(''));
    }
    for (const event of delivered) {
      this.#published.push(event);
      this.#emit(event);
    }
    if (tooLarge.length > 0) throw new EventPublishError(tooLarge);
  }

  #emit(event: DeliveredEvent): void {
    for (const listener of this.events.listeners(BATCH_READY_DETAIL_TYPE)) {
      try {
        (listener as (event: DeliveredEvent) => void)(event);
      } catch (error) {
        if (this.events.listenerCount('listener-error') > 0) {
          this.events.emit('listener-error', error, event);
        } else {
          process.emitWarning(
            `objects-batch-ready listener failed for batch ${event.detail.batchId}: ${String(error)}`,
          );
        }
      }
    }
  }
}
