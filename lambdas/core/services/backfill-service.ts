import type { StorageLocation } from '../automations/storage-location.js';
import { deliveryVersion, versionSequencer } from '../events/delivery-version.js';
import type { ObjectEvent } from '../events/object-event.js';
import type { DeliveryLedger } from '../ports/delivery-ledger.js';
import type { ObjectInfo, ObjectStorage } from '../ports/object-storage.js';
import { type AutomationCatalog, locationKey } from './automation-catalog.js';

/** Objects looked up in the ledger and sent per round. */
export const BACKFILL_PAGE_SIZE = 1_000;

/** What to backfill. */
export interface BackfillRequest {
  readonly location: StorageLocation;
  /** Only keys starting with this. @default '' */
  readonly prefix?: string | undefined;
  /** Only objects modified at or after this time (epoch ms). */
  readonly since?: number | undefined;
  /** Count what would be ingested, send nothing. */
  readonly dryRun?: boolean | undefined;
  /**
   * Skip objects modified less than this long before `now` (ms): a local
   * folder's file may still be being written; the folder watcher takes it
   * once it is complete. @default 0
   */
  readonly settleMs?: number | undefined;
  /** Epoch ms: the time of the events a backfill sends. */
  readonly now: number;
}

/** What a backfill needs. */
export interface BackfillDependencies {
  readonly storage: Pick<ObjectStorage, 'list'>;
  readonly ledger: Pick<DeliveryLedger, 'recorded'>;
  /** The enabled automations, to count what the ingested objects match. */
  readonly catalog: AutomationCatalog;
  /** Puts events on the ingest path (the ingest queue); resolves once they are taken. */
  readonly send: (events: readonly ObjectEvent[]) => Promise<void>;
  /** A fresh event id (the ledger's owner of the delivery). */
  readonly newEventId: () => string;
  /**
   * Object versions already on their way that the ledger does not record
   * yet (local mode's journal): counted as seen, not sent again.
   */
  readonly inFlight?: ((bucket: string, key: string, version: string) => boolean) | undefined;
  readonly onProgress?: ((progress: BackfillSummary) => void) | undefined;
}

/** What a backfill found and did; `--json` prints it as is. */
export interface BackfillSummary {
  readonly location: string;
  /** The bucket, or the folder's location name, as events carry it. */
  readonly bucket: string;
  readonly dryRun: boolean;
  /** Objects listed under the prefix. */
  listed: number;
  /** Older than `since`. */
  skippedOlder: number;
  /** Modified within `settleMs`: left to the folder watcher. */
  skippedChanging: number;
  /** Delivered before (live, or by an earlier backfill), or on their way. */
  alreadySeen: number;
  /** Never delivered, but no enabled automation matches them: not sent. */
  unmatched: number;
  /** Sent to the ingest path (in a dry run: would be). */
  ingested: number;
  /** Per automation name: how many of the ingested objects it matches. */
  readonly matched: Record<string, number>;
}

/**
 * Lists a location's objects and feeds those that were never delivered
 * through the ingest path, as if their events had just arrived: the objects
 * that were there before an automation, or whose events a crash lost. A
 * backfilled object and its live event are one delivery (same bucket, key
 * and version in the delivery ledger), so the ingest handler admits
 * whichever comes first and drops the other; a backfill run twice sends
 * only what the first did not. Events are timed `now`, like a file the
 * folder watcher finds, so batch deadlines start now.
 *
 * @example
 * ```ts
 * const summary = await runBackfill(deps, { location, prefix: 'scenes/', now: Date.now() });
 * ```
 */
export async function runBackfill(
  deps: BackfillDependencies,
  request: BackfillRequest,
): Promise<BackfillSummary> {
  const bucket = locationKey(request.location);
  const summary: BackfillSummary = {
    location: request.location.name,
    bucket,
    dryRun: request.dryRun ?? false,
    listed: 0,
    skippedOlder: 0,
    skippedChanging: 0,
    alreadySeen: 0,
    unmatched: 0,
    ingested: 0,
    matched: {},
  };
  let page: ObjectInfo[] = [];
  const flush = async () => {
    await backfillPage(deps, request, bucket, page, summary);
    page = [];
    deps.onProgress?.(summary);
  };
  for await (const entry of deps.storage.list({ prefix: request.prefix ?? '', recursive: true })) {
    if (entry.isFolder) continue;
    summary.listed++;
    if (request.since !== undefined && entry.lastModified < request.since) {
      summary.skippedOlder++;
      continue;
    }
    const settleMs = request.settleMs ?? 0;
    if (settleMs > 0 && request.now - entry.lastModified < settleMs) {
      summary.skippedChanging++;
      continue;
    }
    page.push(entry);
    if (page.length >= BACKFILL_PAGE_SIZE) await flush();
  }
  await flush();
  return summary;
}

async function backfillPage(
  deps: BackfillDependencies,
  request: BackfillRequest,
  bucket: string,
  objects: readonly ObjectInfo[],
  summary: BackfillSummary,
): Promise<void> {
  if (objects.length === 0) return;
  const events = objects.map((object) =>
    backfillEvent(bucket, object, request.now, deps.newEventId),
  );
  const versioned = events.flatMap((event) => {
    const version = deliveryVersion(event);
    return version === undefined ? [] : [{ key: event.key, version }];
  });
  const recorded = await deps.ledger.recorded(bucket, versioned);
  const unseen = events.filter((event) => {
    const version = deliveryVersion(event);
    const seen =
      recorded.has(event.key) ||
      (version !== undefined && deps.inFlight?.(bucket, event.key, version) === true);
    if (seen) summary.alreadySeen++;
    return !seen;
  });
  // An object no automation reaches is neither sent nor recorded: a later backfill, once
  // an automation matches it, still finds it (the ingest handler records only what reaches one).
  const reaching: ObjectEvent[] = [];
  for (const event of unseen) {
    const names = deps.catalog.automationsReached(event);
    if (names.length === 0) {
      summary.unmatched++;
      continue;
    }
    reaching.push(event);
    for (const name of names) summary.matched[name] = (summary.matched[name] ?? 0) + 1;
  }
  if (!request.dryRun && reaching.length > 0) await deps.send(reaching);
  summary.ingested += reaching.length;
}

/**
 * The event a backfill sends for a listed object: created now, with the
 * object's size and ETag, and a sequencer stable per object version.
 *
 * @example
 * ```ts
 * backfillEvent('bucket', { key: 'a.txt', size: 5, etag: '"e1"', lastModified: 0 }, now, () => 'evt-1');
 * ```
 */
export function backfillEvent(
  bucket: string,
  object: ObjectInfo,
  now: number,
  newEventId: () => string,
): ObjectEvent {
  return {
    type: 'created',
    bucket,
    key: object.key,
    time: now,
    size: object.size,
    etag: object.etag,
    sequencer: versionSequencer(object),
    eventId: newEventId(),
  };
}
