import { type BatchMembers, fitsInline, membersReference } from '../batching/batch-members.js';
import type { CloseReason } from '../batching/batch-state.js';
import { isoTime } from '../jobs/trigger-payload.js';
import type { BatchToPublish, UnpublishedEvent } from '../ports/event-publisher.js';

/** The `detail-type` of the event a closed batch emits (Quilt EDP's was `package-objects-ready`). */
export const BATCH_READY_DETAIL_TYPE = 'objects-batch-ready';
/** The default `source` of bucketflow's events. */
export const BATCH_READY_SOURCE = 'bucketflow';
/** Version of the `detail` shape; a breaking change increments it. */
export const BATCH_READY_DETAIL_VERSION = 1;
/** EventBridge refuses a PutEvents entry (and a whole request) above 256 KiB. */
export const MAX_EVENT_ENTRY_BYTES = 262_144;
/** Keys go inline while their JSON array fits in 200 KiB, leaving room for the rest of the entry. */
export const INLINE_KEYS_MAX_BYTES = 204_800;

/** The `detail` of an `objects-batch-ready` event. Times are ISO 8601 UTC. */
export interface BatchReadyDetail {
  readonly version: typeof BATCH_READY_DETAIL_VERSION;
  readonly batchId: string;
  readonly automationId: string;
  /** The automation's name. */
  readonly automation: string;
  readonly bucket: string;
  readonly prefix: string;
  /** Events counted into the batch (duplicate deliveries excluded). */
  readonly count: number;
  readonly reason: CloseReason;
  readonly firstEventAt: string;
  readonly lastEventAt: string;
  readonly closedAt: string;
  readonly members: BatchMembers;
  /** The member keys, one per counted event in arrival order; present when `members.location` is `inline`. */
  readonly keys?: readonly string[];
  /** True when the keys are not inline. */
  readonly keysTruncated: boolean;
}

/** A bus entry, independent of the SDK: what PutEvents receives and the size EventBridge counts. */
export interface EventEntry {
  readonly source: string;
  readonly detailType: string;
  /** The detail as JSON text. */
  readonly detail: string;
  readonly resources: readonly string[];
  /** Epoch ms: the batch's close time. */
  readonly time: number;
  /** For error reports. */
  readonly batchId: string;
}

export interface BatchReadyOptions {
  /** @default BATCH_READY_SOURCE ('bucketflow') */
  readonly source?: string;
  /** Name of the batches table, put in the pointer when the keys are not inline. */
  readonly membersTable?: string;
}

/**
 * The detail of a batch's `objects-batch-ready` event: keys inline when the
 * caller read them and their JSON fits in {@link INLINE_KEYS_MAX_BYTES},
 * else a pointer to the batches table and `keysTruncated: true`.
 *
 * @example
 * ```ts
 * batchReadyDetail({ ...batchRecord, automationName: 'scenes', keys: ['a/1.tif'] }).members; // { location: 'inline' }
 * ```
 */
export function batchReadyDetail(
  batch: BatchToPublish,
  options: BatchReadyOptions = {},
): BatchReadyDetail {
  const base = {
    version: BATCH_READY_DETAIL_VERSION,
    batchId: batch.batchId,
    automationId: batch.automationId,
    automation: batch.automationName,
    bucket: batch.bucket,
    prefix: batch.prefix,
    count: batch.count,
    reason: batch.reason,
    firstEventAt: isoTime(batch.firstEventAt, 'firstEventAt'),
    lastEventAt: isoTime(batch.lastEventAt, 'lastEventAt'),
    closedAt: isoTime(batch.closedAt, 'closedAt'),
  } as const;
  const keys = batch.keys;
  if (keys !== undefined && fitsInline(keys, INLINE_KEYS_MAX_BYTES)) {
    return { ...base, members: { location: 'inline' }, keys: [...keys], keysTruncated: false };
  }
  const members = membersReference(batch.batchId, options.membersTable);
  return { ...base, members, keysTruncated: true };
}

/**
 * The bus entry of a batch: source, `objects-batch-ready`, the detail, the
 * bucket's ARN as resource and the close time.
 *
 * @example
 * ```ts
 * const entry = batchReadyEntry(batch, { source: 'bucketflow' });
 * eventEntrySize(entry) <= MAX_EVENT_ENTRY_BYTES;
 * ```
 */
export function batchReadyEntry(
  batch: BatchToPublish,
  options: BatchReadyOptions = {},
): EventEntry {
  return {
    source: options.source ?? BATCH_READY_SOURCE,
    detailType: BATCH_READY_DETAIL_TYPE,
    detail: JSON.stringify(batchReadyDetail(batch, options)),
    resources: [`arn:aws:s3:::${batch.bucket}`],
    time: batch.closedAt,
    batchId: batch.batchId,
  };
}

/** The bus entries of some batches, split by EventBridge's entry size limit. */
export interface SizedBatchReadyEntries {
  /** Entries within {@link MAX_EVENT_ENTRY_BYTES}, with their size, in batch order. */
  readonly sendable: Array<{ entry: EventEntry; size: number }>;
  /** An `EntryTooLarge` report per batch whose entry is over the limit. */
  readonly tooLarge: UnpublishedEvent[];
}

/**
 * The entries of `batches` ({@link batchReadyEntry}) that a bus may accept,
 * and a report for each one EventBridge would refuse for its size. Every
 * bus, local or not, applies the same limit, so local mode fails where AWS would.
 *
 * @example
 * ```ts
 * const { sendable, tooLarge } = batchReadyEntries(readyBatches, { source: 'bucketflow' });
 * ```
 */
export function batchReadyEntries(
  batches: readonly BatchToPublish[],
  options: BatchReadyOptions = {},
): SizedBatchReadyEntries {
  const sendable: Array<{ entry: EventEntry; size: number }> = [];
  const tooLarge: UnpublishedEvent[] = [];
  for (const batch of batches) {
    const entry = batchReadyEntry(batch, options);
    const size = eventEntrySize(entry);
    if (size > MAX_EVENT_ENTRY_BYTES) {
      tooLarge.push({
        batchId: batch.batchId,
        code: 'EntryTooLarge',
        message: `the entry is ${size} bytes; EventBridge accepts at most ${MAX_EVENT_ENTRY_BYTES} (is the prefix or automation name unusually long?)`,
      });
    } else {
      sendable.push({ entry, size });
    }
  }
  return { sendable, tooLarge };
}

/**
 * The size EventBridge counts for a PutEvents entry: 14 bytes for the time,
 * plus the UTF-8 bytes of source, detail type, detail and each resource.
 *
 * @example
 * ```ts
 * eventEntrySize({ source: 's', detailType: 't', detail: '{}', resources: [], time: 0, batchId: 'b' }); // 18
 * ```
 */
export function eventEntrySize(entry: EventEntry): number {
  let size = 14 + utf8Length(entry.source) + utf8Length(entry.detailType);
  size += utf8Length(entry.detail);
  for (const resource of entry.resources) size += utf8Length(resource);
  return size;
}

const encoder = new TextEncoder();

function utf8Length(text: string): number {
  return encoder.encode(text).length;
}
