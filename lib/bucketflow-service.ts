import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { BucketflowConfig } from '../lambdas/sdk/config.js';
import { BucketflowEngine } from './bucketflow-engine.js';
import type { LambdaRunnerProps } from './bucketflow-engine-props.js';
import { BucketflowState } from './bucketflow-state.js';
import type { SourceBucketOptions } from './source-bucket-rule.js';
import type { TaskRunnerFunction } from './task-runner-function.js';

export interface BucketflowServiceProps {
  /**
   * Your `bucketflow.config.ts`, the config `npm start` runs: S3 locations
   * become source buckets, Lambda clusters get a TaskRunnerFunction bundling
   * their task modules, and the automations are applied at deploy time.
   * @default none: automations are managed with the CLI
   */
  readonly config?: BucketflowConfig;
  /** Buckets of the config's S3 locations that your app creates or imports, by location name. @default imported by the config's bucket names */
  readonly locationBuckets?: Readonly<Record<string, s3.IBucket>>;
  /** Buckets whose object events feed the automations; more with `addSourceBucket`. @default none */
  readonly sourceBuckets?: readonly s3.IBucket[];
  /** S3 events per ingest invocation, 1-10000. @default 1000 */
  readonly ingestBatchSize?: number;
  /** How long Lambda gathers events before invoking ingest (at most 5 minutes). @default 10 seconds */
  readonly ingestBatchWindow?: Duration;
  /** Most concurrent ingest invocations (2-1000). @default no limit */
  readonly ingestMaxConcurrency?: number;
  /** Period of the batch sweep, whole minutes 1-60. @default 1 minute */
  readonly sweepPeriod?: Duration;
  /** Period of the cron tick, whole minutes 1-60. @default 1 minute */
  readonly cronPeriod?: Duration;
  /** Period of task reconciliation, whole minutes 1-60. @default 1 minute */
  readonly reconcilePeriod?: Duration;
  /** Retention of every function's log group. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** How long the bus archive keeps events for replay; zero keeps them forever. @default 30 days */
  readonly eventArchiveRetention?: Duration;
  /** Delete job cache objects this long after they were written. @default never */
  readonly cacheExpiration?: Duration;
  /** Receives before a message moves to its DLQ. @default 5 */
  readonly dlqMaxReceiveCount?: number;
  /** Prefix of the per-cluster task queues the app creates. @default 'bucketflow-tasks-' */
  readonly taskQueuePrefix?: string;
  /** Notified when an alarm fires or recovers. @default none */
  readonly alarmTopic?: sns.ITopic;
  /** Alarm when the oldest ingest event is older than this. @default 5 minutes */
  readonly ingestAgeAlarmThreshold?: Duration;
  /** Tables, queues, buckets and the bus on removal from the stack. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** @default generated */
  readonly dashboardName?: string;
}

/**
 * bucketflow in one construct, for embedding in your own stack: the state
 * (tables, ingest queue, event bus with archive, cache bucket) and the engine
 * (functions, schedules, source bucket rules, dashboard, alarms).
 *
 * @example
 * ```ts
 * import { config } from '../bucketflow.config.js';
 * const service = new BucketflowService(this, 'Bucketflow', { config, alarmTopic: opsTopic });
 * service.addSourceBucket(s3.Bucket.fromBucketName(this, 'Archive', 'lab-archive'));
 * ```
 */
export class BucketflowService extends Construct {
  public readonly state: BucketflowState;
  public readonly engine: BucketflowEngine;
  public readonly eventBus: events.EventBus;

  constructor(scope: Construct, id: string, props: BucketflowServiceProps = {}) {
    super(scope, id);
    this.state = new BucketflowState(this, 'State', {
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      ...pick(props, [
        'ingestBatchWindow',
        'eventArchiveRetention',
        'cacheExpiration',
        'dlqMaxReceiveCount',
      ]),
    });
    this.eventBus = this.state.eventBus;
    this.engine = new BucketflowEngine(this, 'Engine', {
      state: this.state,
      ...pick(props, [
        'ingestBatchSize',
        'ingestBatchWindow',
        'ingestMaxConcurrency',
        'sweepPeriod',
        'cronPeriod',
        'reconcilePeriod',
        'logRetention',
        'taskQueuePrefix',
        'alarmTopic',
        'ingestAgeAlarmThreshold',
        'dashboardName',
        'config',
        'locationBuckets',
      ]),
    });
    for (const bucket of props.sourceBuckets ?? []) this.addSourceBucket(bucket);
  }

  /**
   * Wires a bucket's object events into bucketflow: EventBridge rule to the
   * ingest queue, read access for ingest and runners, configuration, dashboard
   * row and alarm. The bucket must have EventBridge notifications turned on.
   *
   * @example
   * ```ts
   * service.addSourceBucket(bucket, { keyPrefixes: ['instrument-a/'] });
   * ```
   */
  addSourceBucket(bucket: s3.IBucket, options?: SourceBucketOptions): events.Rule {
    return this.engine.addSourceBucket(bucket, options);
  }

  /**
   * Runs one cluster's tasks on Lambda (see TaskRunnerFunction).
   *
   * @example
   * ```ts
   * service.addTaskRunner('gpu', { taskModules: ['src/gpu-tasks.ts'], memorySize: 4096 });
   * ```
   */
  addTaskRunner(cluster: string, options?: LambdaRunnerProps): TaskRunnerFunction {
    return this.engine.addTaskRunner(cluster, options);
  }

  /**
   * Grants an external runner's role what running tasks needs.
   *
   * @example
   * ```ts
   * service.grantRunnerAccess(ecsTaskRole);
   * ```
   */
  grantRunnerAccess(grantee: iam.IGrantable): void {
    this.engine.grantRunnerAccess(grantee);
  }
}

/** The defined entries of `props` among `keys`, so that absent props keep their defaults. */
function pick<T extends object, K extends keyof T>(
  props: T,
  keys: readonly K[],
): Partial<Pick<T, K>> {
  const picked: Partial<Pick<T, K>> = {};
  for (const key of keys) if (props[key] !== undefined) picked[key] = props[key];
  return picked;
}
