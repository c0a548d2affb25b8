import type { Duration } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { BucketflowConfig } from '../lambdas/sdk/config.js';
import type { BucketflowState } from './bucketflow-state.js';
import type { TaskRunnerFunctionProps } from './task-runner-function.js';

/** Props of BucketflowEngine: its state, the ingest and schedule settings, and the config it applies. */
export interface BucketflowEngineProps {
  /** Tables, queues, bus and buckets (possibly in another stack). */
  readonly state: BucketflowState;
  /** S3 events per ingest invocation, 1-10000. @default INGEST_BATCH_SIZE (1000) */
  readonly ingestBatchSize?: number;
  /** How long Lambda gathers events before invoking ingest (at most 5 minutes). @default 10 seconds */
  readonly ingestBatchWindow?: Duration;
  /** Most concurrent ingest invocations (2-1000), to bound DynamoDB contention. @default no limit */
  readonly ingestMaxConcurrency?: number;
  /** Period of the batch sweep (whole minutes, 1-60). @default 1 minute */
  readonly sweepPeriod?: Duration;
  /** Period of the cron tick (whole minutes, 1-60). @default 1 minute */
  readonly cronPeriod?: Duration;
  /** Period of task reconciliation (expired leases, lost sends; whole minutes, 1-60). @default 1 minute */
  readonly reconcilePeriod?: Duration;
  /** Retention of every function's log group. @default LOG_RETENTION_DAYS (one month) */
  readonly logRetention?: logs.RetentionDays;
  /** Prefix of the task queues the app creates per cluster. @default 'bucketflow-tasks-' */
  readonly taskQueuePrefix?: string;
  /** Notified when an alarm fires or recovers. @default none (alarms still show in CloudWatch) */
  readonly alarmTopic?: sns.ITopic;
  /** Alarm when the oldest ingest event is older than this. @default INGEST_AGE_ALARM_SECONDS (5 minutes) */
  readonly ingestAgeAlarmThreshold?: Duration;
  /** @default generated */
  readonly dashboardName?: string;
  /**
   * The config of your `bucketflow.config.ts` (what `npm start` runs): its S3
   * locations become source buckets, its Lambda clusters TaskRunnerFunctions
   * bundling their task modules, and its automations are applied at deploy
   * time (see ConfigAutomations). @default none: automations are managed with the CLI
   */
  readonly config?: BucketflowConfig;
  /**
   * Buckets of the config's S3 locations that your app creates or imports
   * itself, by location name (the config's bucket name then serves local mode
   * only). @default each S3 location's bucket, imported by its name
   */
  readonly locationBuckets?: Readonly<Record<string, s3.IBucket>>;
}

/**
 * A Lambda runner's own settings (`addTaskRunner`); the engine supplies its
 * state, environment and queues. Not the SDK's `TaskRunnerOptions`, which
 * build an in-process runner.
 */
export type LambdaRunnerProps = Omit<
  TaskRunnerFunctionProps,
  'cluster' | 'state' | 'environment' | 'taskQueuePrefix' | 'logRetention'
>;

/** @deprecated The old name of {@link LambdaRunnerProps}, kept so that existing apps compile. */
export type TaskRunnerOptions = LambdaRunnerProps;
