import { BucketflowError, ValidationError } from '../core/errors.js';

/**
 * A task class cannot be used as a task: it has no name, is one of the SDK's
 * abstract bases, or its `static identifier` is malformed.
 */
export class TaskDefinitionError extends ValidationError {}

/**
 * Two different task classes claim the same name and major version in one
 * registry, so a submitted task could not be mapped to exactly one class.
 */
export class DuplicateTaskError extends ValidationError {}

/**
 * No registered task class may run a submitted identifier under the version
 * rule (same name, same major version, registered minor >= submitted minor).
 */
export class TaskNotRegisteredError extends BucketflowError {}

/**
 * A trigger task (CronTask, StorageEventTask, BatchTask) was submitted or
 * read without a trigger.
 */
export class MissingTriggerError extends ValidationError {}

/**
 * A job cache key or group name is malformed.
 */
export class InvalidCacheKeyError extends ValidationError {}

/**
 * A job has more tasks than a diagram can show legibly.
 */
export class VisualizationTooLargeError extends ValidationError {}

export { InvalidTriggerError } from '../core/jobs/errors.js';

/**
 * A task used the job cache on a runner that has no cache storage.
 */
export class JobCacheUnavailableError extends ValidationError {}

/**
 * A runner was asked to run (`runOnce`, `runAll`, `runForever`) while one of
 * those calls is still active on it.
 */
export class RunnerBusyError extends BucketflowError {}

/**
 * A client call names a cluster that was never created (or was deleted).
 */
export class UnknownClusterError extends ValidationError {}

/**
 * The CLI or a client found no bucketflow to talk to: no running local stack
 * and no deployed stack named in the environment.
 */
export class NoConnectionError extends ValidationError {}

/**
 * A `bucketflow.config.ts` is malformed; the field is the config's path
 * (`automations[1].quiet`, `locations.demo.bucket`).
 */
export class InvalidConfigError extends ValidationError {}
