import { groupBy, mapConcurrent } from '../collections.js';
import type { ObjectEvent } from '../events/object-event.js';
import { eventIdentity } from '../events/object-event.js';
import { isoTime } from '../jobs/trigger-payload.js';
import type { DeliveredBatchEvent } from '../ports/batch-store.js';
import type { TaskMessage } from '../ports/task-queue.js';
import { NO_TRACING, traceIdOf } from '../ports/tracing.js';
import {
  type AutomationCatalog,
  automationTaskSpec,
  type StorageMatch,
} from './automation-catalog.js';
import { dispatchClosedBatches } from './batch-dispatch.js';
import { sendAll } from './send-tasks.js';
import type { ServiceDependencies } from './service-dependencies.js';
import { submitTraced } from './submit-traced.js';

/** Job submits in flight at once: enough to hide latency, well under the SDK's 50 sockets. */
export const SUBMIT_CONCURRENCY = 16;

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

  const submissions: Array<() => Promise<void>> = [];
  const runnable: TaskMessage[] = [];
  const tracing = deps.tracing ?? NO_TRACING;
  for (const event of events) {
    if (event.type !== 'created') continue;
    const matches = catalog.storageMatches(event.bucket, event.key);
    if (matches.length === 0) continue;
    // One span per object, the root of its trace: its jobs and their task attempts nest below.
    const attributes = { 'aws.s3.bucket': event.bucket, 'aws.s3.key': event.key };
    submissions.push(() =>
      tracing.span('ingest object', attributes, async () => {
        for (const match of matches) {
          await submitStorageJob(deps, match, event).then(
            (result) => {
              runnable.push(...result.runnable);
              if (result.created) jobsSubmitted++;
              else duplicateJobs++;
            },
            (error: unknown) => fail(event, `storage automation ${match.automation.name}`, error),
          );
        }
      }),
    );
  }
  await mapConcurrent(submissions, SUBMIT_CONCURRENCY, (submit) => submit());
  // One send for the whole invocation, 10 messages per SQS call. A lost send is not a
  // delivery failure: the jobs exist, and the reconciler re-sends tasks nobody claimed.
  await sendAll(deps, runnable);

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
        // A batch that fails to dispatch stays closed with a retry time; the sweep retries it.
        await dispatchClosedBatches(deps, result.closed, () => entry, now);
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
): Promise<{ created: boolean; runnable: readonly TaskMessage[] }> {
  const task = automation.task;
  if (!task) return { created: false, runnable: [] };
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
  const result = await submitTraced(deps, {
    name: automation.name,
    root: automationTaskSpec(automation, task, trigger),
    automationId: automation.id,
    trigger,
    idempotencyKey: `storage:${automation.id}:${event.bucket}:${event.key}:${eventIdentity(event)}`,
    // S3's sequencer names one operation on the object, and every delivery of its event carries
    // the same time: the key is permanent and the job id can be derived from it. Without one
    // (backfill, local folders) the time is when the event was made, so the key keeps its record.
    idempotencyKeyTime: event.sequencer === undefined ? undefined : event.time,
  });
  deps.observe?.({
    type: 'job-submitted',
    automation: automation.name,
    jobId: result.job.jobId,
    created: result.created,
    cause: `${event.bucket}/${event.key}`,
    bucket: event.bucket,
    key: event.key,
    traceId: traceIdOf(result.job.traceparent),
  });
  return result;
}
