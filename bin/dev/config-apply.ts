import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  type AutomationDefinition,
  validateAutomation,
} from '../../lambdas/core/automations/automation-spec.js';
import { DEFAULT_CLUSTER_SLUG } from '../../lambdas/core/automations/cluster-slug.js';
import type { StorageLocation } from '../../lambdas/core/automations/storage-location.js';
import type { Automation, AutomationStore } from '../../lambdas/core/ports/automation-store.js';
import {
  automationInputOf,
  type BucketflowConfig,
  configLocations,
  validateConfig,
} from '../../lambdas/sdk/config.js';
import { describeDifferences, sameDefinition } from './automation-diff.js';

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
  /** Cluster slug by the name the config uses (`default` included). */
  readonly clusters: ReadonlyMap<string, string>;
  readonly locations: readonly StorageLocation[];
  /** The config's automations as stored, in config order. */
  readonly automations: readonly Automation[];
  /** What the apply changed, one line each; empty when everything was kept. */
  readonly changes: readonly string[];
}

/**
 * Makes the store hold what the config says, idempotently: clusters are
 * found by name or created; locations are registered, and re-registered when
 * their definition changed; an automation with the config's name and
 * definition is kept (same id), a changed one is deleted and created anew,
 * extra automations of the same name are deleted, and automations an
 * earlier apply created that the config no longer names are deleted. An
 * automation disabled from the CLI stays disabled. Everything is validated
 * before the first write.
 *
 * @example
 * ```ts
 * const applied = await applyConfig({ store, config, foldersRoot: '/repo/.bucketflow/folders' });
 * for (const line of applied.changes) console.log(line);
 * ```
 */
export async function applyConfig(options: ApplyConfigOptions): Promise<AppliedConfig> {
  const { store, config } = options;
  const locations = configLocations(config, options.foldersRoot);
  validateConfig(config);
  const entries = config.automations ?? [];

  const changes: string[] = [];
  const clusters = await applyClusters(store, config.clusters ?? [], changes);
  let stored = await store.list({ includeDisabled: true });
  for (const location of locations) {
    const replaced = await applyLocation(store, location, stored, changes);
    if (replaced) stored = await store.list({ includeDisabled: true });
  }

  const kept: Automation[] = [];
  for (const [index, entry] of entries.entries()) {
    const slug = clusters.get(entry.cluster ?? DEFAULT_CLUSTER_SLUG) ?? DEFAULT_CLUSTER_SLUG;
    const input = automationInputOf(entry, slug, `automations[${index}]`);
    const desired = validateAutomation(input);
    const sameName = stored.filter((automation) => automation.name === entry.name);
    const match = sameName.find((automation) => sameDefinition(automation, desired));
    for (const other of sameName) {
      if (other === match) continue;
      await store.delete(other.id);
    }
    if (match) {
      kept.push(match);
      const extra = sameName.length - 1;
      if (extra > 0) changes.push(`removed ${extra} duplicate(s) of automation ${entry.name}`);
      continue;
    }
    // A new schedule starts at its creation (the cron tick never fires before `enabledAt`).
    const created = await store.create(input);
    kept.push(created);
    const previous = sameName[0];
    changes.push(
      previous
        ? `replaced automation ${entry.name}: ${describeDifferences(previous, desired)}`
        : `created automation ${entry.name} (${describeAutomation(created)})`,
    );
  }

  if (options.stateFile) {
    const names = new Set(entries.map((entry) => entry.name));
    for (const name of await readAppliedNames(options.stateFile)) {
      if (names.has(name)) continue;
      for (const automation of stored.filter((candidate) => candidate.name === name)) {
        await store.delete(automation.id);
        changes.push(`deleted automation ${name}: no longer in the config`);
      }
    }
    await writeAppliedNames(options.stateFile, [...names]);
  }
  return { clusters, locations, automations: kept, changes };
}

async function applyClusters(
  store: AutomationStore,
  names: readonly string[],
  changes: string[],
): Promise<Map<string, string>> {
  const slugs = new Map<string, string>();
  slugs.set(DEFAULT_CLUSTER_SLUG, (await store.defaultCluster()).slug);
  const existing = names.length > 0 ? await store.listClusters() : [];
  for (const name of names) {
    let cluster = existing.find((candidate) => candidate.name === name);
    if (!cluster) {
      cluster = await store.createCluster(name);
      changes.push(`created cluster ${name} (${cluster.slug})`);
    }
    slugs.set(name, cluster.slug);
  }
  return slugs;
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
  // A location in use cannot be deleted: its automations go first and the config recreates its own.
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
