import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DEFAULT_CLUSTER_SLUG } from '../../lambdas/core/automations/cluster-slug.js';
import type { StorageLocation } from '../../lambdas/core/automations/storage-location.js';
import type { Automation, AutomationStore } from '../../lambdas/core/ports/automation-store.js';
import { applyConfigPlan } from '../../lambdas/core/services/config-apply.js';
import type { BucketflowConfig } from '../../lambdas/sdk/config.js';
import { configPlan } from '../../lambdas/sdk/config-plan.js';

export interface ApplyConfigOptions {
  readonly store: AutomationStore;
  readonly config: BucketflowConfig;
  /** Absolute folder holding the local-folder locations (`<data-dir>/folders`). */
  readonly foldersRoot: string;
  /**
   * Remembers the names of the automations the config created, so that one
   * removed from the config is deleted on the next apply. Without it, removed
   * automations stay.
   */
  readonly stateFile?: string | undefined;
}

export interface AppliedConfig {
  /** The cluster slugs the config runs tasks on (`default` included). */
  readonly clusters: readonly string[];
  readonly locations: readonly StorageLocation[];
  /** The config's automations as stored, in config order. */
  readonly automations: readonly Automation[];
  /** What the apply changed, one line each; empty when everything was kept. */
  readonly changes: readonly string[];
}

/**
 * `bucketflow dev`'s apply: the config's plan (see `configPlan`) applied by
 * `applyConfigPlan`, the same idempotent code the deployed stack's custom
 * resource runs, with the names applied last time kept in `stateFile`.
 *
 * @example
 * ```ts
 * const applied = await applyConfig({ store, config, foldersRoot: '/repo/.bucketflow/folders' });
 * for (const line of applied.changes) console.log(line);
 * ```
 */
export async function applyConfig(options: ApplyConfigOptions): Promise<AppliedConfig> {
  const { plan } = configPlan(options.config, { foldersRoot: options.foldersRoot });
  const previousNames = options.stateFile ? await readAppliedNames(options.stateFile) : undefined;
  const applied = await applyConfigPlan({
    store: options.store,
    plan,
    previousNames,
  });
  if (options.stateFile) {
    await writeAppliedNames(
      options.stateFile,
      plan.automations.map((automation) => automation.name),
    );
  }
  return {
    clusters: [...new Set([DEFAULT_CLUSTER_SLUG, ...plan.clusters])],
    locations: plan.locations,
    automations: applied.automations,
    changes: applied.changes,
  };
}

async function readAppliedNames(file: string): Promise<string[]> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { automations?: unknown };
    return Array.isArray(parsed.automations)
      ? parsed.automations.filter((name): name is string => typeof name === 'string')
      : [];
  } catch {
    return [];
  }
}

async function writeAppliedNames(file: string, names: readonly string[]): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify({ automations: names }, null, 2)}\n`);
  await rename(temporary, file);
}
