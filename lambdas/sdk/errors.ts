import { BucketflowError, ValidationError } from '../core/errors.js';

/**
 * A task class cannot be used as a task: it has no name, is one of the SDK's
 * abstract bases, or its `static identifier` is malformed.
 *
 * @example
 * ```ts
 * throw new TaskDefinitionError('Resize.identifier.version', "'1.2' is not vX.Y", "write 'v1.2'");
 * ```
 */
export class TaskDefinitionError extends ValidationError {}

/**
 * Two different task classes claim the same name and major version in one
 * registry, so a submitted task could not be mapped to exactly one class.
 *
 * @example
 * ```ts
 * throw new DuplicateTaskError('tasks[1]', 'Resize@v1.4 clashes with Resize@v1.2', 'register one class per major version');
 * ```
 */
export class DuplicateTaskError extends ValidationError {}

/**
 * No registered task class may run a submitted identifier under the version
 * rule (same name, same major version, registered minor >= submitted minor).
 *
 * @example
 * ```ts
 * throw new TaskNotRegisteredError('Resize@v1.3: no registered class can run it (registered: Resize@v1.2)');
 * ```
 */
export class TaskNotRegisteredError extends BucketflowError {}

/**
 * A trigger task (CronTask, StorageEventTask, BatchTask) was submitted or
 * read without a trigger.
 *
 * @example
 * ```ts
 * throw new MissingTriggerError('task', "CronTask 'Report' has no trigger", 'call task.once() for a manual run');
 * ```
 */
export class MissingTriggerError extends ValidationError {}

/**
 * A job cache key or group name is malformed.
 *
 * @example
 * ```ts
 * throw new InvalidCacheKeyError('key', "'a//b' has an empty segment", "write 'a/b'");
 * ```
 */
export class InvalidCacheKeyError extends ValidationError {}

/**
 * A job has more tasks than a diagram can show legibly.
 *
 * @example
 * ```ts
 * throw new VisualizationTooLargeError('tasks', '350 tasks, more than the 200 a diagram shows', 'pass { maxTasks: 400 }');
 * ```
 */
export class VisualizationTooLargeError extends ValidationError {}

export { InvalidTriggerError } from '../core/jobs/errors.js';

/**
 * A task used the job cache on a runner that has no cache storage.
 *
 * @example
 * ```ts
 * throw new JobCacheUnavailableError('jobCache', 'this runner has no cache storage', 'pass cacheStorage to the runner');
 * ```
 */
export class JobCacheUnavailableError extends ValidationError {}

/**
 * A runner was asked to run (`runOnce`, `runAll`, `runForever`) while one of
 * those calls is still active on it.
 *
 * @example
 * ```ts
 * throw new RunnerBusyError('runner r1: runAll() called while another run is active');
 * ```
 */
export class RunnerBusyError extends BucketflowError {}

/**
 * A client call names a cluster that was never created (or was deleted).
 *
 * @example
 * ```ts
 * throw new UnknownClusterError('cluster', "unknown cluster 'gpu'", 'create it first with client.clusters.create(name)');
 * ```
 */
export class UnknownClusterError extends ValidationError {}

/**
 * The CLI or a client found no bucketflow to talk to: no running local stack
 * and no deployed stack named in the environment.
 *
 * @example
 * ```ts
 * throw new NoConnectionError('data-dir', '.bucketflow/local.json does not exist', "start 'npm start'");
 * ```
 */
export class NoConnectionError extends ValidationError {}

/**
 * A `bucketflow.config.ts` is malformed; the field is the config's path
 * (`automations[1].quiet`, `locations.demo.bucket`).
 *
 * @example
 * ```ts
 * throw new InvalidConfigError('automations[0].kind', "'crn' is not an automation kind", "use 'storage', 'batch' or 'cron'");
 * ```
 */
export class InvalidConfigError extends ValidationError {}
