import { InvalidTriggerError } from '../../../lambdas/core/jobs/errors.js';
import { escapeForDisplay } from '../../../lambdas/core/jobs/text-rules.js';
import { parseTriggerJson, type TriggerJson } from '../../../lambdas/core/jobs/trigger-payload.js';
import type { BatchStore } from '../../../lambdas/core/ports/batch-store.js';
import type { StoredJob } from '../../../lambdas/core/ports/job-store.js';

/** Batch members a job view lists; the count says how many there are in all. */
export const MAX_MEMBERS_SHOWN = 200;

/**
 * What submitted a job, for display: times are epoch ms, and object keys have
 * control characters written as visible escapes (a key may hold a line break
 * or a terminal escape; the page sets every value as text).
 */
export type TriggerView =
  | {
      readonly kind: 'storage';
      readonly type: 'created' | 'deleted';
      readonly location: string;
      readonly bucket: string;
      readonly key: string;
      readonly size: number | null;
      readonly etag: string | null;
      readonly sequencer: string | null;
      readonly eventTime: number;
    }
  | {
      readonly kind: 'cron';
      readonly fireTime: number;
      readonly expression: string | null;
      readonly timezone: string;
    }
  | {
      readonly kind: 'batch';
      readonly batchId: string;
      readonly bucket: string;
      readonly prefix: string;
      readonly count: number;
      readonly reason: string;
      readonly firstEventAt: number;
      readonly lastEventAt: number;
      /** Up to {@link MAX_MEMBERS_SHOWN} member keys in event order; all of them when `count` is no more. */
      readonly members: readonly string[];
      /** Where the keys are kept: in the trigger, or in the batches table. */
      readonly membersStoredIn: 'inline' | 'dynamodb';
    }
  /** A trigger this console does not know (a free-form `trigger` of a submit). */
  | { readonly kind: 'other'; readonly json: string };

/** The job's trigger as stored, or undefined for a job without one. */
export function storedTrigger(
  job: StoredJob,
): TriggerJson | { kind: 'other'; json: string } | undefined {
  if (job.triggerJson === undefined) return undefined;
  try {
    return parseTriggerJson(JSON.parse(job.triggerJson));
  } catch (error) {
    if (error instanceof SyntaxError || error instanceof InvalidTriggerError) {
      return { kind: 'other', json: escapeForDisplay(job.triggerJson) };
    }
    throw error;
  }
}

/**
 * The trigger of a jobs list row: the view without batch members beyond
 * those the trigger holds (no read of the batches table per row).
 */
export function triggerSummary(job: StoredJob): TriggerView | null {
  const trigger = storedTrigger(job);
  if (trigger === undefined) return null;
  if (trigger.kind === 'batch') return batchView(trigger, (trigger.keys ?? []).slice(0, 3));
  return triggerView(trigger);
}

/** The trigger of a job view, with up to {@link MAX_MEMBERS_SHOWN} batch members. */
export async function triggerDetail(
  job: StoredJob,
  batches: Pick<BatchStore, 'memberPages'>,
): Promise<TriggerView | null> {
  const trigger = storedTrigger(job);
  if (trigger === undefined) return null;
  if (trigger.kind !== 'batch') return triggerView(trigger);
  if (trigger.members.location === 'inline') {
    return batchView(trigger, (trigger.keys ?? []).slice(0, MAX_MEMBERS_SHOWN));
  }
  const members: string[] = [];
  for await (const page of batches.memberPages(trigger.members.batchId)) {
    members.push(...page.slice(0, MAX_MEMBERS_SHOWN - members.length));
    if (members.length >= MAX_MEMBERS_SHOWN) break;
  }
  return batchView(trigger, members);
}

/** Whether the trigger names an object whose key contains `text` (case-insensitive). */
export function triggerMentions(job: StoredJob, text: string): boolean {
  const trigger = storedTrigger(job);
  if (trigger === undefined) return false;
  const wanted = text.toLowerCase();
  const has = (key: string) => key.toLowerCase().includes(wanted);
  switch (trigger.kind) {
    case 'storage':
      return has(trigger.key);
    case 'batch':
      return has(trigger.prefix) || (trigger.keys ?? []).some(has);
    default:
      return false;
  }
}

function triggerView(
  trigger: Exclude<TriggerJson, { kind: 'batch' }> | { kind: 'other'; json: string },
): TriggerView {
  switch (trigger.kind) {
    case 'storage':
      return {
        kind: 'storage',
        type: trigger.type,
        location: escapeForDisplay(trigger.location),
        bucket: trigger.bucket,
        key: escapeForDisplay(trigger.key),
        size: trigger.size ?? null,
        etag: trigger.etag ?? null,
        sequencer: trigger.sequencer ?? null,
        eventTime: Date.parse(trigger.eventTime),
      };
    case 'cron':
      return {
        kind: 'cron',
        fireTime: Date.parse(trigger.fireTime),
        expression: trigger.expression,
        timezone: trigger.timezone,
      };
    default:
      return trigger;
  }
}

function batchView(
  trigger: Extract<TriggerJson, { kind: 'batch' }>,
  members: readonly string[],
): TriggerView {
  return {
    kind: 'batch',
    batchId: trigger.batchId,
    bucket: trigger.bucket,
    prefix: escapeForDisplay(trigger.prefix),
    count: trigger.count,
    reason: trigger.reason,
    firstEventAt: Date.parse(trigger.firstEventAt),
    lastEventAt: Date.parse(trigger.lastEventAt),
    members: members.map(escapeForDisplay),
    membersStoredIn: trigger.members.location,
  };
}
