import type {
  AutomationKind,
  BatchTrigger,
} from '../../../lambdas/core/automations/automation-spec.js';
import { nextFireTime } from '../../../lambdas/core/cron/catch-up.js';
import { formatTaskIdentifier } from '../../../lambdas/core/jobs/task-identifier.js';
import { escapeForDisplay } from '../../../lambdas/core/jobs/text-rules.js';
import type { Automation } from '../../../lambdas/core/ports/automation-store.js';
import { automationsById, type ConsoleSources } from './console-sources.js';

/** Open batches listed per poll. */
export const OPEN_BATCHES_LIMIT = 200;
/** Stuck batches listed per poll. */
export const STUCK_BATCHES_LIMIT = 100;

/** An automation as `GET /api/automations` lists it. */
export interface AutomationView {
  readonly id: string;
  readonly name: string;
  readonly kind: AutomationKind;
  readonly cluster: string;
  readonly enabled: boolean;
  readonly createdAt: number;
  /** `name@vX.Y` of the root task; null for a batch automation that only emits events. */
  readonly task: string | null;
  readonly triggers: Automation['triggers'];
  /** One readable line per trigger, e.g. `demo: **.txt` or `'* * * * *' UTC`. */
  readonly summary: readonly string[];
  /** An enabled cron automation's next fire time (epoch ms) after the request's `now`; else null. */
  readonly nextFireAt: number | null;
}

/** An open batch as `GET /api/batches` lists it. Times are epoch ms. */
export interface OpenBatchView {
  readonly batchId: string;
  readonly automationId: string;
  /** Null when the automation was deleted while its batch was open. */
  readonly automation: string | null;
  /** The storage location the automation batches; null when unknown. */
  readonly location: string | null;
  readonly bucket: string;
  readonly prefix: string;
  readonly count: number;
  /** The count that closes it at once; null when the automation is unknown. */
  readonly countThreshold: number | null;
  readonly firstEventAt: number;
  readonly lastEventAt: number;
  readonly ageMs: number;
  readonly dueAt: number;
  readonly dueReason: 'quiet' | 'max-age';
}

/** Every automation, enabled or not, oldest first. */
export async function listAutomations(sources: ConsoleSources) {
  const automations = await sources.client.automations.list({ includeDisabled: true });
  const now = sources.now();
  return { now, automations: automations.map((automation) => automationView(automation, now)) };
}

/** Open batches with their automation's name and location, earliest deadline first. */
export async function listOpenBatches(sources: ConsoleSources) {
  const [open, automations] = await Promise.all([
    sources.batches.listOpen(OPEN_BATCHES_LIMIT),
    automationsById(sources),
  ]);
  const now = sources.now();
  const batches = open.map((batch): OpenBatchView => {
    const automation = automations.get(batch.automationId);
    const trigger: BatchTrigger | undefined = automation?.triggers.batch;
    return {
      batchId: batch.batchId,
      automationId: batch.automationId,
      automation: automation?.name ?? null,
      location: trigger?.location ?? null,
      bucket: batch.bucket,
      prefix: batch.prefix,
      count: batch.count,
      countThreshold: trigger?.count ?? null,
      firstEventAt: batch.firstEventAt,
      lastEventAt: batch.lastEventAt,
      ageMs: Math.max(0, now - batch.firstEventAt),
      dueAt: batch.dueAt,
      dueReason: batch.dueReason,
    };
  });
  return { now, batches };
}

/** A closed batch whose dispatch failed, as `GET /api/batches/stuck` lists it. Times are epoch ms. */
export interface StuckBatchView {
  readonly batchId: string;
  readonly automationId: string;
  /** Null when the automation was deleted. */
  readonly automation: string | null;
  readonly bucket: string;
  readonly prefix: string;
  readonly count: number;
  readonly reason: string;
  /** When the batch closed (processing time). */
  readonly closedAt: number;
  readonly attempts: number;
  /** First line of the last error. */
  readonly error: string;
  /** When the sweep tries again. */
  readonly retryAt: number | null;
}

/**
 * Closed batches whose dispatch failed at least once and that are not
 * dispatched yet, oldest first: what `bucketflow batch stuck` lists.
 */
export async function listStuckBatches(sources: ConsoleSources) {
  const [stuck, automations] = await Promise.all([
    sources.client.batches.stuck(STUCK_BATCHES_LIMIT),
    automationsById(sources),
  ]);
  const batches = stuck.map(
    (batch): StuckBatchView => ({
      batchId: batch.batchId,
      automationId: batch.automationId,
      automation: automations.get(batch.automationId)?.name ?? null,
      bucket: batch.bucket,
      prefix: batch.prefix,
      count: batch.count,
      reason: batch.reason,
      closedAt: batch.writtenAt,
      attempts: batch.attempts,
      error: (batch.lastError ?? '').split('\n')[0] ?? '',
      retryAt: batch.retryAt ?? null,
    }),
  );
  return { now: sources.now(), batches };
}

/** Dead-lettered ingest events and task messages, oldest first, keys escaped for display. */
export async function listDeadLetters(sources: ConsoleSources) {
  const letters = (await sources.deadLetters?.()) ?? [];
  return {
    letters: letters.map((letter) => ({
      ...letter,
      ...(letter.key !== undefined ? { key: escapeForDisplay(letter.key) } : {}),
    })),
  };
}

function automationView(automation: Automation, now: number): AutomationView {
  const next =
    automation.kind === 'cron' && automation.enabled
      ? nextFireTime(automation.triggers.cron, now)
      : undefined;
  return {
    id: automation.id,
    name: automation.name,
    kind: automation.kind,
    cluster: automation.cluster,
    enabled: automation.enabled,
    createdAt: automation.createdAt,
    task: automation.task ? formatTaskIdentifier(automation.task.identifier) : null,
    triggers: automation.triggers,
    summary: summarise(automation.triggers),
    nextFireAt: next?.getTime() ?? null,
  };
}

function summarise(triggers: Automation['triggers']): string[] {
  const storage = triggers.storage.map((trigger) => `${trigger.location}: ${trigger.glob}`);
  const cron = triggers.cron.map(
    (trigger) => `'${trigger.expression}' ${trigger.timezone}, catch-up ${trigger.catchUp}`,
  );
  const batch = triggers.batch;
  const batches = batch
    ? [
        [
          `${batch.location}, prefix depth ${batch.prefixDepth}`,
          `closes at ${batch.count} objects`,
          `or ${batch.quietSeconds} s quiet`,
          ...(batch.maxAgeSeconds === undefined ? [] : [`or ${batch.maxAgeSeconds} s old`]),
          ...(batch.marker === undefined ? [] : [`or at marker ${batch.marker}`]),
          ...(batch.ignore.length > 0 ? [`ignores ${batch.ignore.join(', ')}`] : []),
          [batch.emitEvent ? 'event' : '', batch.submitJob ? 'job' : '']
            .filter(Boolean)
            .join(' + ') || 'nothing on close',
        ].join(', '),
      ]
    : [];
  return [...storage, ...cron, ...batches];
}
