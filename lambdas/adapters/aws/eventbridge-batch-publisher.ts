import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import type { ReadyBatch } from '../../core/services/service-dependencies.js';
import { EventPublishError } from './errors.js';

/** EventBridge takes at most 10 entries per PutEvents call. */
export const PUT_EVENTS_BATCH_SIZE = 10;
/** EventBridge's limit on one entry; keys are left out of events that would exceed it. */
export const MAX_EVENT_BYTES = 256 * 1024;
/** Room kept for the envelope EventBridge counts besides the detail. */
const ENVELOPE_BYTES = 2 * 1024;
const PUT_ATTEMPTS = 4;

export const BATCH_READY_DETAIL_TYPE = 'objects-batch-ready';

/** The `detail` of an `objects-batch-ready` event (see docs/events.md). */
export interface BatchReadyDetail {
  readonly version: 1;
  readonly batchId: string;
  readonly automationId: string;
  readonly automation: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly count: number;
  readonly reason: string;
  readonly firstEventAt: string;
  readonly lastEventAt: string;
  readonly closedAt: string;
  /** The member keys, unless they do not fit in one event. */
  readonly keys?: readonly string[];
  /** True when `keys` was left out; read them with `bucketflow batches members <batchId>`. */
  readonly keysTruncated: boolean;
}

export interface EventBridgeBatchPublisherOptions {
  readonly client: EventBridgeClient;
  readonly eventBusName: string;
  /** @default 'bucketflow' */
  readonly source?: string;
}

/**
 * Publishes `objects-batch-ready` events on the custom bus, 10 per PutEvents
 * call, retrying the entries EventBridge refused (FailedEntryCount) with
 * backoff. Entries still refused raise {@link EventPublishError}; the batch
 * then stays undispatched and the sweep publishes it again.
 *
 * @example
 * ```ts
 * await new EventBridgeBatchPublisher({ client, eventBusName: 'bucketflow' }).publish(batches);
 * ```
 */
export class EventBridgeBatchPublisher {
  readonly #client: EventBridgeClient;
  readonly #bus: string;
  readonly #source: string;

  constructor(options: EventBridgeBatchPublisherOptions) {
    this.#client = options.client;
    this.#bus = options.eventBusName;
    this.#source = options.source ?? 'bucketflow';
  }

  async publish(batches: readonly ReadyBatch[]): Promise<void> {
    const entries = batches.map((batch) => this.#entry(batch));
    const failed: string[] = [];
    for (let i = 0; i < entries.length; i += PUT_EVENTS_BATCH_SIZE) {
      failed.push(...(await this.#put(entries.slice(i, i + PUT_EVENTS_BATCH_SIZE))));
    }
    if (failed.length > 0) {
      throw new EventPublishError(
        `EventBridge refused ${failed.length} ${BATCH_READY_DETAIL_TYPE} event(s) after ${PUT_ATTEMPTS} attempts: ${failed.join('; ')}`,
      );
    }
  }

  async #put(batch: PutEventsRequestEntry[]): Promise<string[]> {
    let pending = batch;
    let errors: string[] = [];
    for (let attempt = 1; attempt <= PUT_ATTEMPTS && pending.length > 0; attempt++) {
      const result = await this.#client.send(new PutEventsCommand({ Entries: pending }));
      const results = result.Entries ?? [];
      errors = [];
      const retry: PutEventsRequestEntry[] = [];
      pending.forEach((entry, index) => {
        const outcome = results[index];
        if (outcome?.EventId && !outcome.ErrorCode) return;
        retry.push(entry);
        errors.push(
          `${batchIdOf(entry)}: ${outcome?.ErrorCode ?? 'no result'} ${outcome?.ErrorMessage ?? ''}`.trim(),
        );
      });
      pending = retry;
      if (pending.length > 0 && attempt < PUT_ATTEMPTS) {
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
      }
    }
    return pending.length > 0 ? errors : [];
  }

  #entry(batch: ReadyBatch): PutEventsRequestEntry {
    const base: Omit<BatchReadyDetail, 'keys' | 'keysTruncated'> = {
      version: 1,
      batchId: batch.batchId,
      automationId: batch.automationId,
      automation: batch.automationName,
      bucket: batch.bucket,
      prefix: batch.prefix,
      count: batch.count,
      reason: batch.reason,
      firstEventAt: new Date(batch.firstEventAt).toISOString(),
      lastEventAt: new Date(batch.lastEventAt).toISOString(),
      closedAt: new Date(batch.closedAt).toISOString(),
    };
    let detail = JSON.stringify({ ...base, keys: batch.keys, keysTruncated: false });
    if (Buffer.byteLength(detail) > MAX_EVENT_BYTES - ENVELOPE_BYTES) {
      detail = JSON.stringify({ ...base, keysTruncated: true });
    }
    return {
      EventBusName: this.#bus,
      Source: this.#source,
      DetailType: BATCH_READY_DETAIL_TYPE,
      Detail: detail,
      Resources: [`arn:aws:s3:::${batch.bucket}`],
      Time: new Date(batch.closedAt),
    };
  }
}

function batchIdOf(entry: PutEventsRequestEntry): string {
  try {
    return String((JSON.parse(entry.Detail ?? '{}') as { batchId?: string }).batchId);
  } catch {
    return 'unknown batch';
  }
}
