import { mayFitInline, membersReference } from '../batching/batch-members.js';
import { mapConcurrent } from '../collections.js';
import { storedErrorText } from '../error-text.js';
import { INLINE_KEYS_MAX_BYTES } from '../events/batch-ready-event.js';
import { MAX_TASK_INPUT_BYTES, utf8Length } from '../jobs/task-input.js';
import { type BatchTriggerJson, isoTime } from '../jobs/trigger-payload.js';
import { decodeUlidTime, isUlid } from '../jobs/ulid.js';
import type { BatchRecord } from '../ports/batch-store.js';
import { type BatchToPublish, EventPublishError } from '../ports/event-publisher.js';
import type { TaskMessage } from '../ports/task-queue.js';
import { automationTaskSpec, type BatchAutomation } from './automation-catalog.js';
import { sendAll } from './send-tasks.js';
import type { ServiceDependencies } from './service-dependencies.js';
import { submitTraced } from './submit-traced.js';

/** Batches prepared (members read, job submitted) at once. */
export const DISPATCH_CONCURRENCY = 8;
/** Wait after a batch's first failed dispatch; it doubles with every further failure. */
export const DISPATCH_RETRY_BASE_MS = 60_000;
/** Longest wait between two dispatch attempts of a batch. */
export const DISPATCH_RETRY_MAX_MS = 60 * 60_000;
/** Failed attempts after which a batch counts as stuck (metric, alarm, `bucketflow batch stuck`). */
export const STUCK_AFTER_ATTEMPTS = 3;

/** When to try a batch again after its `attempts`-th failed dispatch (1 for the first). */
export function dispatchRetryAt(attempts: number, now: number): number {
  const wait = DISPATCH_RETRY_BASE_MS * 2 ** Math.max(0, attempts - 1);
  return now + Math.min(wait, DISPATCH_RETRY_MAX_MS);
}

export interface DispatchSummary {
  readonly dispatched: number;
  readonly failed: number;
}

interface Prepared {
  readonly batch: BatchRecord;
  readonly entry: BatchAutomation | undefined;
  readonly ready: BatchToPublish;
  readonly runnable: readonly TaskMessage[];
  readonly jobId?: string | undefined;
}

/**
 * Delivers closed batches, each on its own: a batch that cannot be
 * dispatched (its job refused, its event refused, its members unreadable)
 * is recorded as failed with its error and a retry time (backoff) and never
 * holds up the others. Per batch, bounded concurrency: the members are read
 * when they may fit inline, the BatchTask job is submitted (idempotent on
 * `batch:<batchId>`; its trigger carries the keys, or a reference to the
 * batches table when they do not fit a task input); then the
 * `objects-batch-ready` events of all batches are published in one call
 * (keys inline or by reference), and each batch is marked dispatched. A
 * batch whose automation is gone or disabled is marked dispatched without
 * action. The job comes first, so a failed publish retried later submits
 * no second job; an event is published again only when a dispatcher dies
 * between publishing and marking (same `batchId`, same members).
 *
 * @example
 * ```ts
 * await dispatchClosedBatches(deps, closed, (id) => catalog.batchAutomation(id), Date.now());
 * ```
 */
export async function dispatchClosedBatches(
  deps: ServiceDependencies,
  closed: readonly BatchRecord[],
  automationOf: (automationId: string) => BatchAutomation | undefined,
  now: number,
): Promise<DispatchSummary> {
  const failures = new Map<string, unknown>();
  const prepared: Prepared[] = [];
  await mapConcurrent(closed, DISPATCH_CONCURRENCY, async (batch) => {
    try {
      prepared.push(await prepare(deps, batch, automationOf(batch.automationId)));
    } catch (error) {
      failures.set(batch.batchId, error);
    }
  });
  const toPublish = prepared.filter(({ entry }) => entry?.trigger.emitEvent);
  if (toPublish.length > 0) {
    try {
      await deps.eventPublisher.publishBatchReady(toPublish.map(({ ready }) => ready));
    } catch (error) {
      // A refused event fails its own batch; any other error fails every batch of the call.
      const refused = error instanceof EventPublishError ? error.failed : undefined;
      for (const { batch } of toPublish) {
        if (refused === undefined) {
          failures.set(batch.batchId, error);
          continue;
        }
        const event = refused.find((unpublished) => unpublished.batchId === batch.batchId);
        if (event) failures.set(batch.batchId, new EventPublishError([event]));
      }
    }
  }
  const runnable: TaskMessage[] = [];
  let dispatched = 0;
  await mapConcurrent(prepared, DISPATCH_CONCURRENCY, async (item) => {
    if (failures.has(item.batch.batchId)) return;
    runnable.push(...item.runnable);
    try {
      await deps.batches.markDispatched(item.batch.batchId, now);
      dispatched++;
      deps.observe?.({
        type: 'batch-dispatched',
        automation: item.ready.automationName,
        batchId: item.batch.batchId,
        event: Boolean(item.entry?.trigger.emitEvent),
        jobId: item.jobId,
      });
    } catch (error) {
      // Left leased: the sweep dispatches it again (same job, same event) once the lease ends.
      deps.observe?.({
        type: 'error',
        where: `marking batch ${item.batch.batchId} dispatched`,
        error,
      });
    }
  });
  await mapConcurrent(closed, DISPATCH_CONCURRENCY, async (batch) => {
    const error = failures.get(batch.batchId);
    if (error !== undefined) await recordFailure(deps, batch, automationOf, error, now);
  });
  await sendAll(deps, runnable);
  return { dispatched, failed: failures.size };
}

async function prepare(
  deps: ServiceDependencies,
  batch: BatchRecord,
  entry: BatchAutomation | undefined,
): Promise<Prepared> {
  const task = entry?.automation.task;
  const submitJob = Boolean(entry && task && entry.trigger.submitJob);
  const wanted = Boolean(entry?.trigger.emitEvent) || submitJob;
  const maxInline = Math.max(INLINE_KEYS_MAX_BYTES, MAX_TASK_INPUT_BYTES);
  const keys =
    wanted && mayFitInline(batch.keyBytes, batch.count, maxInline)
      ? await deps.batches.readMembers(batch.batchId)
      : undefined;
  const ready: BatchToPublish = { ...batch, automationName: entry?.automation.name ?? '', keys };
  if (!entry || !task || !submitJob) return { batch, entry, ready, runnable: [] };
  const base = {
    kind: 'batch' as const,
    batchId: batch.batchId,
    bucket: batch.bucket,
    prefix: batch.prefix,
    count: batch.count,
    reason: batch.reason,
    firstEventAt: isoTime(batch.firstEventAt, 'firstEventAt'),
    lastEventAt: isoTime(batch.lastEventAt, 'lastEventAt'),
  };
  const reference: BatchTriggerJson = {
    ...base,
    members: membersReference(batch.batchId, deps.membersTable),
  };
  let trigger = reference;
  let root = automationTaskSpec(entry.automation, task, reference);
  if (keys !== undefined) {
    const inline: BatchTriggerJson = { ...base, members: { location: 'inline' }, keys };
    const spec = automationTaskSpec(entry.automation, task, inline);
    if (utf8Length(JSON.stringify(spec.input)) <= MAX_TASK_INPUT_BYTES) {
      trigger = inline;
      root = spec;
    }
  }
  const result = await submitTraced(deps, {
    name: entry.automation.name,
    root,
    automationId: entry.automation.id,
    trigger,
    idempotencyKey: `batch:${batch.batchId}`,
    // A batch id is a ULID: it names one batch for good, and its time is fixed.
    idempotencyKeyTime: isUlid(batch.batchId) ? decodeUlidTime(batch.batchId) : undefined,
  });
  return { batch, entry, ready, runnable: result.runnable, jobId: result.job.jobId };
}

async function recordFailure(
  deps: ServiceDependencies,
  batch: BatchRecord,
  automationOf: (automationId: string) => BatchAutomation | undefined,
  error: unknown,
  now: number,
): Promise<void> {
  const attempts = batch.attempts + 1;
  const retryAt = dispatchRetryAt(attempts, now);
  const text = storedErrorText(error);
  const automation = automationOf(batch.automationId)?.automation.name ?? batch.automationId;
  deps.observe?.({
    type: 'batch-dispatch-failed',
    automation,
    batchId: batch.batchId,
    attempts,
    retryAt,
    error,
  });
  try {
    await deps.batches.recordDispatchFailure(batch.batchId, text, retryAt);
  } catch (recordError) {
    // Still leased: the sweep finds it again when the lease ends.
    deps.observe?.({
      type: 'error',
      where: `recording the failed dispatch of batch ${batch.batchId}`,
      error: recordError,
    });
  }
}
