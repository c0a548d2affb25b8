import { describeDifferences, sameDefinition } from '../automations/automation-diff.js';
import {
  type AutomationDefinition,
  type AutomationInput,
  validateAutomation,
} from '../automations/automation-spec.js';
import type { StorageLocation } from '../automations/storage-location.js';
import type { Automation, AutomationStore } from '../ports/automation-store.js';

/**
 * What a config asks the automation store to hold, as plain JSON: the same
 * plan for `bucketflow dev` and for the deploy-time custom resource, which
 * receives it in its CloudFormation properties.
 */
export interface ConfigPlan {
  /** Slugs of the config's clusters (besides `default`, which always exists). */
  readonly clusters: readonly string[];
  readonly locations: readonly StorageLocation[];
  /** In config order, each naming its cluster by slug. */
  readonly automations: readonly AutomationInput[];
}

export interface ApplyPlanOptions {
  readonly store: AutomationStore;
  readonly plan: ConfigPlan;
  /**
   * Names of the automations an earlier apply created: those the plan no
   * longer names are deleted. Undefined: nothing is deleted for being absent.
   */
  readonly previousNames?: readonly string[] | undefined;
}

export interface AppliedPlan {
  /** The plan's automations as stored, in plan order. */
  readonly automations: readonly Automation[];
  /** What the apply changed, one line each; empty when everything was kept. */
  readonly changes: readonly string[];
}

/**
 * Makes the store hold what the plan says, idempotently: clusters are ensured
 * by slug; locations are registered, and re-registered when their definition
 * changed; an automation with the plan's name and definition is kept (same
 * id, its jobs and cron cursor untouched), a changed one is deleted and
 * created anew, extra automations of the same name are deleted, and the
 * `previousNames` the plan no longer names are deleted. Deleting an
 * automation never deletes its jobs. An automation disabled from the CLI
 * stays disabled. Every automation is validated before the first write.
 *
 * @example
 * ```ts
 * const applied = await applyConfigPlan({ store, plan, previousNames: ['old-nightly'] });
 * for (const line of applied.changes) console.log(line);
 * ```
 */
export async function applyConfigPlan(options: ApplyPlanOptions): Promise<AppliedPlan> {
  const { store, plan } = options;
  const desired = plan.automations.map((input) => ({
    input,
    definition: validateAutomation(input),
  }));

  const changes: string[] = [];
  await store.defaultCluster();
  for (const slug of plan.clusters) {
    if (!(await store.findCluster(slug))) {
      await store.ensureCluster(slug);
      changes.push(`created cluster ${slug}`);
    }
  }
  let stored = await store.list({ includeDisabled: true });
  for (const location of plan.locations) {
    const replaced = await applyLocation(store, location, stored, changes);
    if (replaced) stored = await store.list({ includeDisabled: true });
  }

  const kept: Automation[] = [];
  for (const { input, definition } of desired) {
    const sameName = stored.filter((automation) => automation.name === definition.name);
    const match = sameName.find((automation) => sameDefinition(automation, definition));
    for (const other of sameName) {
      if (other !== match) await store.delete(other.id);
    }
    if (match) {
      kept.push(match);
      const extra = sameName.length - 1;
      if (extra > 0) changes.push(`removed ${extra} duplicate(s) of automation ${definition.name}`);
      continue;
    }
    // A new schedule starts at its creation: the cron tick never fires before
    // `enabledAt`, and writes a cursor only when it submits.
    const created = await store.create(input);
    kept.push(created);
    const previous = sameName[0];
    changes.push(
      previous
        ? `replaced automation ${definition.name}: ${describeDifferences(previous, definition)}`
        : `created automation ${definition.name} (${describeAutomation(created)})`,
    );
  }

  const names = new Set(desired.map(({ definition }) => definition.name));
  for (const name of new Set(options.previousNames ?? [])) {
    if (names.has(name)) continue;
    for (const automation of stored.filter((candidate) => candidate.name === name)) {
      await store.delete(automation.id);
      changes.push(`deleted automation ${name}: no longer in the config`);
    }
  }
  return { automations: kept, changes };
}

/** Registers a location; true when a changed one was replaced (with the automations on it). */
async function applyLocation(
  store: AutomationStore,
  location: StorageLocation,
  stored: readonly Automation[],
  changes: string[],
): Promise<boolean> {
  const existing = await store.findLocation(location.name);
  if (existing && describeLocation(existing) === describeLocation(location)) return false;
  if (!existing) {
    await store.registerLocation(location);
    changes.push(`registered location ${location.name} (${describeLocation(location)})`);
    return false;
  }
  // A location in use cannot be deleted: its automations go first and the plan recreates its own.
  const users = stored.filter((automation) => usesLocation(automation, location.name));
  for (const automation of users) await store.delete(automation.id);
  await store.deleteLocation(location.name);
  await store.registerLocation(location);
  changes.push(
    `re-registered location ${location.name}: ${describeLocation(existing)} → ${describeLocation(location)}` +
      (users.length > 0
        ? ` (deleted the automations on it: ${users.map((a) => a.name).join(', ')})`
        : ''),
  );
  return true;
}

function usesLocation(automation: Automation, name: string): boolean {
  return (
    automation.triggers.storage.some((trigger) => trigger.location === name) ||
    automation.triggers.batch?.location === name
  );
}

function describeLocation(location: StorageLocation): string {
  return location.kind === 's3' ? `s3 bucket ${location.bucket}` : `folder ${location.path}`;
}

function describeAutomation(automation: AutomationDefinition): string {
  const task = automation.task ? ` → ${automation.task.identifier.name}` : '';
  const { storage, batch, cron } = automation.triggers;
  switch (automation.kind) {
    case 'storage':
      return `storage ${storage.map((t) => `${t.location}:${t.glob}`).join(', ')}${task}`;
    case 'batch':
      return `batch ${batch?.location} depth ${batch?.prefixDepth} count ${batch?.count} quiet ${batch?.quietSeconds} s${task}`;
    case 'cron':
      return `cron ${cron.map((t) => t.expression).join(', ')}${task}`;
  }
}
