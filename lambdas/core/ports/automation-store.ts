import type { AutomationDefinition, AutomationInput } from '../automations/automation-spec.js';
import type { StorageLocation } from '../automations/storage-location.js';
import { BucketflowError } from '../errors.js';

/** A group of task runners; jobs name the cluster their tasks run on. */
export interface Cluster {
  /** The name plus a random suffix, e.g. `gpu-runners-4Kx9aB2q`; `default` for the default cluster. */
  readonly slug: string;
  readonly name: string;
  /** Epoch ms. */
  readonly createdAt: number;
}

/** A stored automation. */
export interface Automation extends AutomationDefinition {
  /** ULID. */
  readonly id: string;
  /** The slug of an existing cluster (the default cluster when none was named). */
  readonly cluster: string;
  /** Epoch ms. */
  readonly createdAt: number;
  /**
   * When it was created or last enabled again (epoch ms): a cron automation
   * fires for no time before it. Absent on items written before it existed.
   */
  readonly enabledAt?: number | undefined;
}

/**
 * Storage locations, clusters, automations and the cron tick cursor. An
 * automation references its cluster and locations; neither can be deleted
 * while an automation uses it, and an automation cannot be created naming one
 * that does not exist.
 */
export interface AutomationStore {
  /** Registers a location under a unique name; throws `LocationExistsError` when the name is taken. */
  registerLocation(location: StorageLocation): Promise<StorageLocation>;
  listLocations(): Promise<StorageLocation[]>;
  findLocation(name: string): Promise<StorageLocation | undefined>;
  /** False when absent; throws `ResourceInUseError` naming the automations that use it. */
  deleteLocation(name: string): Promise<boolean>;

  /** Creates a cluster whose slug is the name plus a random suffix. */
  createCluster(name: string): Promise<Cluster>;
  listClusters(): Promise<Cluster[]>;
  findCluster(slug: string): Promise<Cluster | undefined>;
  /** False when absent; throws `ResourceInUseError` naming the automations that use it. */
  deleteCluster(slug: string): Promise<boolean>;
  /** The cluster with slug `default`, created on first use. */
  defaultCluster(): Promise<Cluster>;
  /**
   * The cluster whose slug (and name) is exactly `slug`, created if absent:
   * how a config declares a cluster whose queue name the deployment must know
   * before anything runs. Throws `InvalidClusterNameError` for a malformed slug.
   */
  ensureCluster(slug: string): Promise<Cluster>;

  /**
   * Validates and stores an automation. Throws a `ValidationError` for an
   * invalid definition, `ClusterNotFoundError` / `LocationNotFoundError`
   * naming what does not exist.
   *
   * @example
   * ```ts
   * await store.create({ name: 'tifs', task, triggers: { storage: [{ location: 'scenes', glob: '**.tif' }] } });
   * ```
   */
  create(input: AutomationInput): Promise<Automation>;
  /** Enabled automations (all with `includeDisabled`), oldest first: one paginated Query. */
  list(options?: { readonly includeDisabled?: boolean }): Promise<Automation[]>;
  find(id: string): Promise<Automation | undefined>;
  /**
   * A disabled automation submits no new jobs; enabling a disabled one sets
   * its `enabledAt` to now. Throws `AutomationNotFoundError`.
   */
  setEnabled(id: string, enabled: boolean): Promise<Automation>;
  /** Deletes it so it submits no new jobs (its past jobs stay); false when absent. */
  delete(id: string): Promise<boolean>;

  /** When the cron tick last completed for an automation (epoch ms), undefined before the first. */
  cronCursor(automationId: string): Promise<number | undefined>;
  /** Every automation's cron cursor: one Query. */
  cronCursors(): Promise<ReadonlyMap<string, number>>;
  /**
   * Moves the cursor from `from` (undefined: no cursor yet) to `to`, only if
   * it still is at `from`; of overlapping ticks exactly one gets true.
   */
  advanceCronCursor(automationId: string, from: number | undefined, to: number): Promise<boolean>;
}

/** An automation names a cluster that does not exist. */
export class ClusterNotFoundError extends BucketflowError {
  readonly slug: string;

  constructor(slug: string) {
    super(
      `cluster '${slug}': no such cluster (list clusters to find the slug, or create one; leave it out for the default cluster)`,
    );
    this.slug = slug;
  }
}

/** A trigger names a storage location that is not registered. */
export class LocationNotFoundError extends BucketflowError {
  readonly names: readonly string[];

  constructor(names: readonly string[]) {
    const quoted = names.map((name) => `'${name}'`).join(', ');
    super(
      `storage location ${quoted}: not registered (register it first, or fix the trigger's location name)`,
    );
    this.names = names;
  }
}

/** A storage location name is taken. */
export class LocationExistsError extends BucketflowError {
  constructor(name: string) {
    super(
      `storage location '${name}': already registered (choose another name or delete it first)`,
    );
  }
}

/** No automation has this id. */
export class AutomationNotFoundError extends BucketflowError {
  readonly automationId: string;

  constructor(automationId: string) {
    super(`automation ${automationId}: not found (list automations to find its id)`);
    this.automationId = automationId;
  }
}

/** A cluster or location cannot be deleted while automations use it. */
export class ResourceInUseError extends BucketflowError {
  readonly users: readonly string[];

  constructor(resource: string, users: readonly string[]) {
    super(
      `${resource}: used by ${users.length} automation(s) (${users.join(', ')}); delete those automations first`,
    );
    this.users = users;
  }
}
