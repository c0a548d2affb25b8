import { nextFireTime } from '../../lambdas/core/cron/catch-up.js';
import { formatTaskIdentifier } from '../../lambdas/core/jobs/task-identifier.js';
import type { Automation } from '../../lambdas/core/ports/automation-store.js';
import { formatTable, formatTime } from './cli-format.js';

/**
 * Automations as a table: id, name, kind, cluster, task, the next fire time
 * of a cron automation and a one-cell summary of the triggers.
 *
 * @example
 * ```ts
 * formatAutomationTable(await client.automations.list(), Date.now());
 * ```
 */
export function formatAutomationTable(automations: readonly Automation[], now: number): string {
  return formatTable(
    ['id', 'name', 'kind', 'cluster', 'task', 'next fire', 'triggers'],
    automations.map((automation) => [
      automation.id,
      automation.name,
      automation.kind,
      automation.cluster,
      automation.task ? formatTaskIdentifier(automation.task.identifier) : '-',
      nextFireOf(automation, now) ?? '-',
      describeTriggers(automation),
    ]),
  );
}

/**
 * The automation as `automations list --json` prints it: with `nextFireTime`
 * (ISO 8601) when it is a cron automation.
 *
 * @example
 * ```ts
 * withNextFire(cronAutomation, Date.now()).nextFireTime; // '2026-11-23T10:05:00.000Z'
 * ```
 */
export function withNextFire(
  automation: Automation,
  now: number,
): Automation & { readonly nextFireTime?: string } {
  const next = automation.kind === 'cron' ? nextFireTime(automation.triggers.cron, now) : undefined;
  return next ? { ...automation, nextFireTime: next.toISOString() } : automation;
}

function nextFireOf(automation: Automation, now: number): string | undefined {
  if (automation.kind !== 'cron') return undefined;
  const next = nextFireTime(automation.triggers.cron, now);
  return next ? formatTime(next.getTime()) : undefined;
}

function describeTriggers({ triggers }: Automation): string {
  const cron = triggers.cron.map(
    (trigger) => `'${trigger.expression}' ${trigger.timezone} catch-up ${trigger.catchUp}`,
  );
  const storage = triggers.storage.map((trigger) => `${trigger.location}:${trigger.glob}`);
  const batch = triggers.batch;
  const batches = batch
    ? [
        [
          `${batch.location} depth ${batch.prefixDepth}`,
          `count ${batch.count}`,
          `quiet ${batch.quietSeconds}s`,
          ...(batch.maxAgeSeconds === undefined ? [] : [`max-age ${batch.maxAgeSeconds}s`]),
          ...(batch.ignore.length > 0 ? [`ignore ${batch.ignore.join(',')}`] : []),
          ...(batch.marker === undefined
            ? []
            : [`marker ${batch.marker}${batch.markerIsMember === false ? ' (not a member)' : ''}`]),
          ...(batch.emitEvent ? ['event'] : []),
          ...(batch.submitJob ? ['job'] : []),
        ].join(' '),
      ]
    : [];
  return [...cron, ...storage, ...batches].join('; ');
}
