import { type AutomationInput, validateAutomation } from '../core/automations/automation-spec.js';
import { DEFAULT_CLUSTER_SLUG } from '../core/automations/cluster-slug.js';
import {
  type StorageLocation,
  validateLocationName,
  validateStorageLocation,
} from '../core/automations/storage-location.js';
import { describeType, textProblem } from '../core/jobs/text-rules.js';
import {
  type BatchAutomationOptions,
  batchAutomationInput,
  type CronAutomationOptions,
  cronAutomationInput,
  storageAutomationInput,
} from './client-automations.js';
import { type ClusterConfig, declaresCluster, validateClusters } from './config-clusters.js';
import { arrayOf, checkTask, configField, rewrap, storagePairs } from './config-fields.js';
import { InvalidConfigError } from './errors.js';
import type { TaskClass } from './task.js';
import { TaskRegistry } from './task-registry.js';
import type { BatchTask, CronTask, StorageEventTask } from './trigger-tasks.js';

/**
 * A storage location of a config: an S3 bucket, or a local folder that
 * `bucketflow dev` keeps at `<data-dir>/folders/<name>/` and watches.
 */
export type LocationConfig =
  | { readonly kind: 's3'; readonly bucket: string }
  | { readonly kind: 'local-folder' };

interface AutomationConfigBase {
  /** Unique within the config; a restart keeps the automation of the same name and definition. */
  readonly name: string;
  /** A slug from `clusters`, or `'default'`. @default 'default' */
  readonly cluster?: string | undefined;
}

/** As `client.automations.createStorageEvent(name, cluster, task, triggers)`. */
export interface StorageAutomationConfig extends AutomationConfigBase {
  readonly kind: 'storage';
  readonly task: StorageEventTask<object>;
  /** `[location, glob]` pairs. */
  readonly triggers: readonly (readonly [location: string, glob: string])[];
}

/** As `client.automations.createBatch(name, options)`; `quiet` and `maxAge` are seconds. */
export interface BatchAutomationConfig
  extends AutomationConfigBase,
    Omit<BatchAutomationOptions, 'cluster' | 'task'> {
  readonly kind: 'batch';
  /** Submitted once per closed batch; without it the batch only emits its event. */
  readonly task?: BatchTask<object> | undefined;
}

/** As `client.automations.createCron(name, cluster, task, schedules, options)`. */
export interface CronAutomationConfig extends AutomationConfigBase, CronAutomationOptions {
  readonly kind: 'cron';
  readonly task: CronTask<object>;
  /** 5-field cron expressions. */
  readonly schedules: readonly string[];
}

export type AutomationConfig =
  | StorageAutomationConfig
  | BatchAutomationConfig
  | CronAutomationConfig;

/**
 * What `bucketflow.config.ts` declares, for `npm start` (`bucketflow dev`)
 * and for the CDK side (`new BucketflowService(this, 'Bucketflow', { config })`)
 * alike.
 */
export interface BucketflowConfig {
  /**
   * Task classes `bucketflow dev`'s in-process runners run, besides the
   * classes of the automations' tasks and of the clusters' `taskModules`
   * (which they always run). Lambda runners run only their task modules.
   */
  readonly tasks?: readonly TaskClass[] | undefined;
  /**
   * Clusters by slug (the slug also names the cluster's task queue): their
   * task modules, and whether a deployment runs them on Lambda. `default`
   * always exists; list it to give it task modules or a Lambda runner.
   */
  readonly clusters?: Readonly<Record<string, ClusterConfig>> | undefined;
  /** Storage locations by name. */
  readonly locations?: Readonly<Record<string, LocationConfig>> | undefined;
  readonly automations?: readonly AutomationConfig[] | undefined;
}

/**
 * Checks a config and returns it frozen, so a mistake fails when the config
 * file is loaded, with the field named (`automations[1].quiet`), before
 * anything is written. `bucketflow dev` applies it; see the shipped
 * `bucketflow.config.ts`.
 *
 * @example
 * ```ts
 * export const config = defineConfig({
 *   locations: { demo: { kind: 's3', bucket: 'demo' }, inbox: { kind: 'local-folder' } },
 *   automations: [
 *     { kind: 'storage', name: 'word-count', task: new WordCount(), triggers: [['demo', '**.txt']] },
 *   ],
 * });
 * ```
 */
export function defineConfig<T extends BucketflowConfig>(config: T): Readonly<T> {
  validateConfig(config);
  return Object.freeze(config);
}

/**
 * Validates a config (see {@link defineConfig}); throws {@link InvalidConfigError}.
 *
 * @example
 * ```ts
 * validateConfig(loadedModule.config);
 * ```
 */
export function validateConfig(config: BucketflowConfig): void {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new InvalidConfigError(
      'config',
      `must be an object, got ${describeType(config)}`,
      'export const config = defineConfig({ locations, automations })',
    );
  }
  validateTasks(config.tasks);
  const clusters = validateClusters(config.clusters);
  const locations = configLocations(config, '/data-dir/folders');
  const names = new Set<string>();
  arrayOf(config.automations, 'automations').forEach((entry, index) => {
    const field = `automations[${index}]`;
    automationInputOf(entry, undefined, field);
    if (names.has(entry.name)) {
      throw new InvalidConfigError(
        `${field}.name`,
        `'${entry.name}' is used by an earlier automation`,
        'give every automation its own name',
      );
    }
    names.add(entry.name);
    const cluster = entry.cluster;
    if (cluster !== undefined && !declaresCluster(clusters, cluster)) {
      throw new InvalidConfigError(
        `${field}.cluster`,
        `'${cluster}' is not in clusters`,
        `add it to clusters, or use '${DEFAULT_CLUSTER_SLUG}'`,
      );
    }
    for (const [location, path] of locationReferences(entry, field)) {
      if (!locations.some((known) => known.name === location)) {
        throw new InvalidConfigError(
          path,
          `names the location '${location}', which is not in locations`,
          `add it, e.g. locations: { ${location}: { kind: 's3', bucket: '${location}' } }`,
        );
      }
    }
  });
}

/**
 * The storage locations of a config, with each local folder at
 * `<foldersRoot>/<name>` (an absolute path).
 *
 * @example
 * ```ts
 * configLocations(config, '/home/me/.bucketflow/folders'); // [{ name: 'inbox', kind: 'local-folder', path: '/home/me/.bucketflow/folders/inbox' }]
 * ```
 */
export function configLocations(config: BucketflowConfig, foldersRoot: string): StorageLocation[] {
  const locations = config.locations ?? {};
  if (typeof locations !== 'object' || locations === null || Array.isArray(locations)) {
    throw new InvalidConfigError(
      'locations',
      `must be an object of locations by name, got ${describeType(locations)}`,
      "e.g. { demo: { kind: 's3', bucket: 'demo' } }",
    );
  }
  return Object.entries(locations).map(([name, location]) => {
    const field = `locations.${name}`;
    rewrap(field, `location '${name}'`, () => validateLocationName(name, 'name'));
    const kind = (location as { kind?: unknown } | undefined)?.kind;
    if (kind === 's3') {
      const bucket = (location as { bucket?: unknown }).bucket as string;
      return rewrap(field, `location '${name}'`, () =>
        validateStorageLocation({ name, kind: 's3', bucket }),
      );
    }
    if (kind === 'local-folder') {
      const path = `${foldersRoot.replace(/\/+$/, '')}/${name}`;
      return rewrap(field, `location '${name}'`, () =>
        validateStorageLocation({ name, kind: 'local-folder', path }),
      );
    }
    throw new InvalidConfigError(
      `${field}.kind`,
      `${JSON.stringify(kind)} is not a location kind`,
      "use 's3' (with bucket) or 'local-folder'",
    );
  });
}

/**
 * The automation an entry of `automations` stands for, as the client would
 * store it for `clusterSlug`, validated by the core; errors name the
 * config's field (`automations[2].schedules[0]`).
 *
 * @example
 * ```ts
 * const input = automationInputOf(config.automations[0], 'default', 'automations[0]');
 * ```
 */
export function automationInputOf(
  entry: AutomationConfig,
  clusterSlug: string | undefined,
  field: string,
): AutomationInput {
  if (typeof entry !== 'object' || entry === null) {
    throw new InvalidConfigError(field, `must be an object, got ${describeType(entry)}`);
  }
  const kind = (entry as { kind?: unknown }).kind;
  if (kind !== 'storage' && kind !== 'batch' && kind !== 'cron') {
    throw new InvalidConfigError(
      `${field}.kind`,
      `${JSON.stringify(kind)} is not an automation kind`,
      "use 'storage', 'batch' or 'cron'",
    );
  }
  const nameProblem = textProblem(entry.name, 256);
  if (nameProblem) throw new InvalidConfigError(`${field}.name`, nameProblem, "e.g. 'word-count'");
  const label = field;
  const about = `automation '${entry.name}'`;
  checkTask(entry, label);
  const input = rewrap(label, about, () => {
    switch (entry.kind) {
      case 'storage':
        return storageAutomationInput(
          entry.name,
          clusterSlug,
          entry.task,
          storagePairs(entry.triggers, `${field}.triggers`),
        );
      case 'batch':
        return batchAutomationInput(entry.name, clusterSlug, entry);
      case 'cron':
        return cronAutomationInput(
          entry.name,
          clusterSlug,
          entry.task,
          arrayOf(entry.schedules, `${field}.schedules`),
          entry,
        );
    }
  });
  rewrap(label, about, () => validateAutomation(input), configField);
  return input;
}

/** The task classes a config names as objects: `tasks` and the automations' (task modules aside). */
export function configTaskClasses(config: BucketflowConfig): TaskClass[] {
  const classes = new Set<TaskClass>(config.tasks ?? []);
  for (const entry of config.automations ?? []) {
    if (entry.task) classes.add(entry.task.constructor as TaskClass);
  }
  return [...classes];
}

function validateTasks(tasks: BucketflowConfig['tasks']): void {
  const list = arrayOf(tasks, 'tasks') as TaskClass[];
  rewrap('', 'tasks', () => new TaskRegistry(list));
}

function locationReferences(entry: AutomationConfig, field: string): Array<[string, string]> {
  switch (entry.kind) {
    case 'storage':
      return entry.triggers.map(([location], index) => [
        location,
        `${field}.triggers[${index}][0]`,
      ]);
    case 'batch':
      return [[entry.location, `${field}.location`]];
    case 'cron':
      return [];
  }
}
