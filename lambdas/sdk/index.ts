export type { BatchMembers } from '../core/batching/batch-members.js';
export type { TaskIdentifier, TaskVersion } from '../core/jobs/task-identifier.js';
export {
  formatTaskIdentifier,
  isCompatible,
  parseTaskIdentifier,
  taskIdentifier,
} from '../core/jobs/task-identifier.js';
export type { JsonValue } from '../core/jobs/task-input.js';
export type { TaskSpec } from '../core/jobs/task-spec.js';
export type { JobState, TaskState } from '../core/jobs/task-state.js';
export type {
  BatchCloseReason,
  BatchTriggerJson,
  CronTriggerJson,
  StorageEventTriggerJson,
  TriggerJson,
} from '../core/jobs/trigger-payload.js';
export {
  parseTriggerJson,
  splitTriggerInput,
  TRIGGER_INPUT_KEY,
  withTriggerInput,
} from '../core/jobs/trigger-payload.js';
export type {
  ClientClusters,
  ClientDeployment,
  ClientOptions,
  ClientRunnerOptions,
  ClientStorageLocations,
} from './client.js';
export { Client } from './client.js';
export type {
  BatchAutomationOptions,
  CancelAutomationJobsOptions,
  CronAutomationOptions,
  DeleteAutomationOptions,
} from './client-automations.js';
export { ClientAutomations } from './client-automations.js';
export { ClientBatches } from './client-batches.js';
export type { ClientJobQuery, SubmitOptions } from './client-jobs.js';
export { ClientJobs } from './client-jobs.js';
export type {
  AutomationConfig,
  BatchAutomationConfig,
  BucketflowConfig,
  CronAutomationConfig,
  LocationConfig,
  StorageAutomationConfig,
} from './config.js';
export { defineConfig, validateConfig } from './config.js';
export type { Connection, ResolveConnectionOptions } from './connection.js';
export {
  awsConnectionFromEnv,
  DATA_DIR_ENV,
  DEFAULT_DATA_DIR,
  LOCAL_CONNECTION_FILE,
  readLocalConnection,
  resolveConnection,
  writeLocalConnection,
} from './connection.js';
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
export { clampDisplay } from './execution-context.js';
export type { JobCache } from './job-cache.js';
export { joinCacheKey, MAX_CACHE_KEY_LENGTH } from './job-cache.js';
export type { VisualizationOptions, VisualJob, VisualTask } from './job-tree.js';
export { MAX_VISUALIZED_TASKS } from './job-tree.js';
export { jobToMermaid, jobToSvg } from './job-visualization.js';
export {
  jobCachePrefix,
  ObjectStorageJobCache,
  UnavailableJobCache,
} from './object-storage-job-cache.js';
export type { RunUntilSignalOptions, StopSignalOptions } from './runner-signals.js';
export {
  onStopSignals,
  runUntilSignal,
  SIGNAL_RELAY_WINDOW_MS,
  STOP_SIGNALS,
} from './runner-signals.js';
export type {
  AnyTask,
  EmptyInput,
  JsonCompatible,
  TaskArgs,
  TaskClass,
  TaskClassLike,
  TaskIdentifierOptions,
  TaskSpecOptions,
} from './task.js';
export { identifierOf, Task } from './task.js';
export type { AttemptOutcome } from './task-attempt.js';
export type { ExecutionTarget, TaskExecutionContextOptions } from './task-execution-context.js';
export { TaskExecutionContext } from './task-execution-context.js';
export { taskFromIdentifier } from './task-from-identifier.js';
export type { LogLevel, LogRecord, LogSink } from './task-logger.js';
export { consoleLogSink, createTaskLogger } from './task-logger.js';
export type { StoredTaskInput } from './task-registry.js';
export { TaskRegistry } from './task-registry.js';
export type { RunSummary, TaskRunnerOptions } from './task-runner.js';
export { DEFAULT_RUNNER_LEASE_MS, TaskRunner } from './task-runner.js';
export type { StateColors } from './task-state-colors.js';
export { TASK_STATE_COLORS } from './task-state-colors.js';
export type {
  BatchOnceOptions,
  CronOnceOptions,
  StorageEventOnceOptions,
} from './trigger-tasks.js';
export { BatchTask, CronTask, StorageEventTask, TriggerTask } from './trigger-tasks.js';
export type {
  BatchMembersReader,
  BatchTrigger,
  CronTrigger,
  StorageEventTrigger,
  Trigger,
  TriggerEnvironment,
  TriggerStorage,
} from './triggers.js';
export { batchMembersReader, decodeTrigger, encodeTrigger } from './triggers.js';
