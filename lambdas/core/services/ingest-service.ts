import type { ObjectEvent } from '../events/object-event.js';
import { eventIdentity } from '../events/object-event.js';
import { isoTime } from '../jobs/trigger-payload.js';
import type { DeliveredBatchEvent } from '../ports/batch-store.js';
import {
  type AutomationCatalog,
  automationTaskSpec,
  type StorageMatch,
} from './automation-catalog.js';
import { dispatchClosedBatches } from './batch-dispatch.js';
import type { ServiceDependencies } from './service-dependencies.js';

export interface IngestResult {
  /** Deliveries to report as failed (SQS redelivers them); everything else is done. */
  readonly failedDeliveryIds: ReadonlySet<string>;
  readonly eventsRead: number;
  readonly jobsSubmitted: number;
  /** Storage-event submits that found their job already there (a duplicate delivery). */
  readonly duplicateJobs: number;
  readonly batchesClosed: number;
  readonly batchEventsCounted: number;
  readonly batchEventsDuplicate: number;
}

/**
 * Ingests one batch of object events (one SQS receive): every created object
 * matching a storage trigger submits one job per automation (idempotent on
 * the event's identity, so duplicate deliveries submit nothing new), and the
 * events of each batch automation are applied with one aggregate per
 * automation, closing batches on count. A failure is confined to the
 * deliveries it concerns.
 *
 * @example
 * ```ts
 * const { failedDeliveryIds } = await ingestObjectEvents(deps, catalog, events, Date.now());
 * ```
 */
export async function ingestObjectEvents(
  deps: ServiceDependencies,
  catalog: AutomationCatalog,
  events: readonly ObjectEvent[],
  now: number,
): Promise<IngestResult> {
  const failed = new Set<string>();
  const fail = (event: { deliveryId?: string | undefined }, where: string, error: unknown) => {
    if (event.deliveryId) failed.add(event.deliveryId);
    deps.observe?.({ type: 'error', where, error });
  };
  let jobsSubmitted = 0;
  let duplicateJobs = 0;

  const submissions: Array<Promise<void>> = [];
  for (const event of events) {
    if (event.type !== 'created') continue;
    for (const match of catalog.storageMatches(event.bucket, event.key)) {
      submissions.push(
        submitStorageJob(deps, match, event).then(
          (created) => {
            if (created) jobsSubmitted++;
            else duplicateJobs++;
          },
          (error: unknown) => fail(event, `storage automation ${match.automation.name}`, error),
        ),
      );
    }
  }
  await Promise.all(submissions);

  let batchesClosed = 0;
  let batchEventsCounted = 0;
  let batchEventsDuplicate = 0;
  const byBucket = groupBy(events, (event) => event.bucket);
  for (const [bucket, bucketEvents] of byBucket) {
    for (const entry of catalog.batchAutomations(bucket)) {
      const delivered: DeliveredBatchEvent[] = bucketEvents;
      try {
        const result = await deps.batches.apply(
          { automationId: entry.automation.id, policy: entry.policy, events: delivered },
          now,
        );
        batchEventsCounted += result.stats.counted;
        batchEventsDuplicate += result.stats.duplicates;
        for (const group of result.failed) {
          for (const event of group.events)
            fail(event, `batch automation ${entry.automation.name}`, group.error);
        }
        for (const batch of result.closed) {
          deps.observe?.({ type: 'batch-closed', automation: entry.automation.name, batch });
        }
        batchesClosed += result.closed.length;
        // A dispatch failure leaves the batch closed and undispatched; the sweep retries it.
        await dispatchClosedBatches(deps, result.closed, () => entry, now).catch((error: unknown) =>
          deps.observe?.({ type: 'error', where: `dispatch of ${entry.automation.name}`, error }),
        );
      } catch (error) {
        for (const event of bucketEvents)
          fail(event, `batch automation ${entry.automation.name}`, error);
      }
    }
  }

  return {
    failedDeliveryIds: failed,
    eventsRead: events.length,
    jobsSubmitted,
    duplicateJobs,
    batchesClosed,
    batchEventsCounted,
    batchEventsDuplicate,
  };
}

async function submitStorageJob(
  deps: ServiceDependencies,
  { automation, location }: StorageMatch,
  event: ObjectEvent,
): Promise<boolean> {
  const task = automation.task;
  if (!task) return false;
  const trigger = {
    kind: 'storage' as const,
    type: event.type,
    location: location.name,
    bucket: event.bucket,
    key: event.key,
    size: event.size,
    etag: event.etag,
    sequencer: event.sequencer,
    eventTime: isoTime(event.time, 'eventTime'),
  };
  const result = await deps.jobs.submit({
    name: automation.name,
    root: automationTaskSpec(automation, task, trigger),
    automationId: automation.id,
    trigger,
    idempotencyKey: `storage:${automation.id}:${event.bucket}:${event.key}:${eventIdentity(event)}`,
  });
  if (result.runnable.length > 0) await deps.dispatchTasks(result.runnable);
  deps.observe?.({
    type: 'job-submitted',
    automation: automation.name,
    jobId: result.job.jobId,
    created: result.created,
    cause: `${event.bucket}/${event.key}`,
  });
  return result.created;
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
