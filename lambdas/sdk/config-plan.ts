import type { AutomationInput } from '../core/automations/automation-spec.js';
import { DEFAULT_CLUSTER_SLUG } from '../core/automations/cluster-slug.js';
import type { StorageLocation } from '../core/automations/storage-location.js';
import type { ConfigPlan } from '../core/services/config-apply.js';
import {
  automationInputOf,
  type BucketflowConfig,
  configLocations,
  validateConfig,
} from './config.js';

export interface ConfigPlanOptions {
  /**
   * Absolute folder holding the local-folder locations (`<data-dir>/folders`).
   * Without it the plan is for a deployment, which has no folders: local-folder
   * locations and the triggers on them are left out (and listed in `skipped`).
   */
  readonly foldersRoot?: string | undefined;
  /**
   * Bucket names that replace the config's, by S3 location name: buckets the
   * CDK app creates or imports itself (their names may be tokens).
   */
  readonly buckets?: Readonly<Record<string, string>> | undefined;
}

/** A config's plan, and what of the config it leaves out. */
export interface PlannedConfig {
  readonly plan: ConfigPlan;
  /** One line per location or automation (or trigger) left out, saying why. */
  readonly skipped: readonly string[];
}

/**
 * Validates a config and turns it into the JSON plan that `applyConfigPlan`
 * applies: locations, cluster slugs, and every automation as the store keeps
 * it (task identifier and input, triggers, cluster slug).
 *
 * @example
 * ```ts
 * const { plan } = configPlan(config, { foldersRoot: '/repo/.bucketflow/folders' });
 * ```
 */
export function configPlan(
  config: BucketflowConfig,
  options: ConfigPlanOptions = {},
): PlannedConfig {
  validateConfig(config);
  const skipped: string[] = [];
  const deployed = options.foldersRoot === undefined;
  const all = configLocations(config, options.foldersRoot ?? '/bucketflow/folders').map(
    (location): StorageLocation =>
      location.kind === 's3' && options.buckets?.[location.name] !== undefined
        ? { ...location, bucket: options.buckets[location.name] as string }
        : location,
  );
  const locations = deployed ? all.filter((location) => location.kind === 's3') : all;
  const folders = new Set(
    all.filter((location) => !locations.includes(location)).map((location) => location.name),
  );
  for (const name of folders)
    skipped.push(`location ${name}: a local folder, which exists only in local mode`);

  const automations: AutomationInput[] = [];
  (config.automations ?? []).forEach((entry, index) => {
    const input = automationInputOf(
      entry,
      entry.cluster ?? DEFAULT_CLUSTER_SLUG,
      `automations[${index}]`,
    );
    const kept = withoutFolders(input, folders);
    if (kept === undefined) {
      skipped.push(`automation ${input.name}: all its triggers are on local folders`);
      return;
    }
    if (kept !== input) {
      skipped.push(
        `automation ${input.name}: its triggers on local folders (${[...folders].join(', ')})`,
      );
    }
    automations.push(kept);
  });
  return {
    plan: { clusters: Object.keys(config.clusters ?? {}), locations, automations },
    skipped,
  };
}

/** The automation without its triggers on `folders`; undefined when none is left. */
function withoutFolders(
  input: AutomationInput,
  folders: ReadonlySet<string>,
): AutomationInput | undefined {
  if (folders.size === 0) return input;
  const { storage = [], batch, cron = [] } = input.triggers;
  if (batch && folders.has(batch.location)) return undefined;
  const kept = storage.filter((trigger) => !folders.has(trigger.location));
  if (kept.length === storage.length) return input;
  if (kept.length === 0 && !batch && cron.length === 0) return undefined;
  return { ...input, triggers: { ...input.triggers, storage: kept } };
}
