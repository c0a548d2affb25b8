import { formatTaskIdentifier } from '../../lambdas/core/jobs/task-identifier.js';
import type { Automation } from '../../lambdas/core/ports/automation-store.js';
import { formatTable } from './cli-format.js';

/**
 * Automations as a table: id, name, kind, cluster, task and a one-cell
 * summary of the triggers.
 *
 * @example
 * ```ts
 * formatAutomationTable(await client.automations.list());
 * ```
 */
export function formatAutomationTable(automations: readonly Automation[]): string {
  return formatTable(
    ['id', 'name', 'kind', 'cluster', 'task', 'triggers'],
    automations.map((automation) => [
      automation.id,
      automation.name,
      automation.kind,
      automation.cluster,
      automation.task ? formatTaskIdentifier(automation.task.identifier) : '-',
      describeTriggers(automation),
    ]),
  );
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
