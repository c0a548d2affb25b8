import { isoTime } from '../jobs/trigger-payload.js';
import type { BatchRecord } from '../ports/batch-store.js';
import type { TaskDispatch } from '../ports/job-store.js';
import { automationTaskSpec, type BatchAutomation } from './automation-catalog.js';
import { sendAll } from './send-tasks.js';
import type { ReadyBatch, ServiceDependencies } from './service-dependencies.js';

/**
 * Delivers closed batches: reads their members, publishes one
 * `objects-batch-ready` event per batch and/or submits one BatchTask job
 * (idempotent on `batch:<batchId>`), then marks them dispatched. A batch
 * whose automation is gone or disabled is marked dispatched without action.
 * Publishing is at least once: a crash between publishing and marking
 * publishes again, with the same `batchId` for consumers to deduplicate.
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
): Promise<void> {
  const ready: Array<{ batch: ReadyBatch; entry: BatchAutomation | undefined }> = [];
  for (const batch of closed) {
    const entry = automationOf(batch.automationId);
    const keys = entry ? await deps.batches.readMembers(batch.batchId) : [];
    ready.push({ batch: { ...batch, automationName: entry?.automation.name ?? '', keys }, entry });
  }
  const runnable: TaskDispatch[] = [];
  const toPublish = ready.filter(({ entry }) => entry?.trigger.emitEvent).map(({ batch }) => batch);
  if (toPublish.length > 0) await deps.publishBatchReady(toPublish);
  for (const { batch, entry } of ready) {
    let jobId: string | undefined;
    const task = entry?.automation.task;
    if (entry && task && entry.trigger.submitJob) {
      const trigger = {
        kind: 'batch' as const,
        batchId: batch.batchId,
        bucket: batch.bucket,
        prefix: batch.prefix,
        count: batch.count,
        reason: batch.reason,
        keys: batch.keys,
        firstEventAt: isoTime(batch.firstEventAt, 'firstEventAt'),
        lastEventAt: isoTime(batch.lastEventAt, 'lastEventAt'),
      };
      const result = await deps.jobs.submit({
        name: entry.automation.name,
        root: automationTaskSpec(entry.automation, task, trigger),
        automationId: entry.automation.id,
        trigger,
        idempotencyKey: `batch:${batch.batchId}`,
      });
      jobId = result.job.jobId;
      runnable.push(...result.runnable);
    }
    await deps.batches.markDispatched(batch.batchId, now);
    deps.observe?.({
      type: 'batch-dispatched',
      automation: batch.automationName,
      batchId: batch.batchId,
      event: Boolean(entry?.trigger.emitEvent),
      jobId,
    });
  }
  await sendAll(deps, runnable);
}
