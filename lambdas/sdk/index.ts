// `bucketflow`: what task authors and scripts import. Runner internals, codecs
// and adapters stay behind it; the constructs are `bucketflow/cdk`, the Lambda
// runner handler `bucketflow/lambda`.

export type { BatchMembers } from '../core/batching/batch-members.js';
export { BucketflowError, ValidationError } from '../core/errors.js';
export type { TaskIdentifier, TaskVersion } from '../core/jobs/task-identifier.js';
export type { JsonValue } from '../core/jobs/task-input.js';
export type { JobState, TaskState } from '../core/jobs/task-state.js';
export type { BatchCloseReason } from '../core/jobs/trigger-payload.js';
export type { StoredJob, StoredTask } from '../core/ports/job-store.js';
export type {
  ClientDeployment,
  ClientRunnerOptions,
  ClientStorageLocations,
} from './client.js';
export { Client } from './client.js';
export type {
  BatchAutomationOptions,
  ClientAutomations,
  CronAutomationOptions,
} from './client-automations.js';
export type { ClientBatches } from './client-batches.js';
export type { ClientJobQuery, ClientJobs, SubmitOptions } from './client-jobs.js';
export type {
  AutomationConfig,
  BatchAutomationConfig,
  BucketflowConfig,
  CronAutomationConfig,
  LocationConfig,
  StorageAutomationConfig,
} from './config.js';
export { defineConfig } from './config.js';
export type { ClusterConfig, ClusterRunnerConfig, LambdaRunnerConfig } from './config-clusters.js';
export type { Connection, ResolveConnectionOptions } from './connection.js';
export { resolveConnection } from './connection.js';
export {
  DuplicateTaskError,
  InvalidCacheKeyError,
  InvalidConfigError,
  InvalidTriggerError,
  JobCacheUnavailableError,
  MissingTriggerError,
  NoConnectionError,
  RunnerBusyError,
  TaskDefinitionError,
  TaskNotRegisteredError,
  UnknownClusterError,
  VisualizationTooLargeError,
} from './errors.js';
export type {
  CurrentTask,
  ExecutionContext,
  SubtaskOptions,
  TaskHandle,
  TaskLogger,
} from './execution-context.js';
export type { JobCache } from './job-cache.js';
export type { RunUntilSignalOptions } from './runner-signals.js';
export { runUntilSignal } from './runner-signals.js';
export type {
  AnyTask,
  EmptyInput,
  JsonCompatible,
  TaskClass,
  TaskIdentifierOptions,
  TaskSpecOptions,
} from './task.js';
export { Task } from './task.js';
export type { RunSummary, TaskRunner } from './task-runner.js';
export type {
  BatchOnceOptions,
  CronOnceOptions,
  StorageEventOnceOptions,
} from './trigger-tasks.js';
export { BatchTask, CronTask, StorageEventTask } from './trigger-tasks.js';
export type {
  BatchMembersReader,
  BatchTrigger,
  CronTrigger,
  StorageEventTrigger,
  Trigger,
  TriggerStorage,
} from './triggers.js';
