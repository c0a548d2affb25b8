import { BucketflowError } from '../errors.js';

/**
 * An automation names a cluster that does not exist.
 *
 * @example
 * ```ts
 * throw new ClusterNotFoundError('gpu-runners-4Kx9aB2q');
 * ```
 */
export class ClusterNotFoundError extends BucketflowError {
  readonly slug: string;

  constructor(slug: string) {
    super(
      `cluster '${slug}': no such cluster (list clusters to find the slug, or create one; leave it out for the default cluster)`,
    );
    this.slug = slug;
  }
}

/**
 * A trigger names a storage location that is not registered.
 *
 * @example
 * ```ts
 * throw new LocationNotFoundError(['scenes']);
 * ```
 */
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

/**
 * A storage location name is taken.
 *
 * @example
 * ```ts
 * throw new LocationExistsError('scenes');
 * ```
 */
export class LocationExistsError extends BucketflowError {
  constructor(name: string) {
    super(
      `storage location '${name}': already registered (choose another name or delete it first)`,
    );
  }
}

/**
 * No automation has this id.
 *
 * @example
 * ```ts
 * throw new AutomationNotFoundError('01J9Z3…');
 * ```
 */
export class AutomationNotFoundError extends BucketflowError {
  readonly automationId: string;

  constructor(automationId: string) {
    super(`automation ${automationId}: not found (list automations to find its id)`);
    this.automationId = automationId;
  }
}

/**
 * A cluster or location cannot be deleted while automations use it.
 *
 * @example
 * ```ts
 * throw new ResourceInUseError("cluster 'gpu-4Kx9aB2q'", ['thumbnails']);
 * ```
 */
export class ResourceInUseError extends BucketflowError {
  readonly users: readonly string[];

  constructor(resource: string, users: readonly string[]) {
    super(
      `${resource}: used by ${users.length} automation(s) (${users.join(', ')}); delete those automations first`,
    );
    this.users = users;
  }
}
