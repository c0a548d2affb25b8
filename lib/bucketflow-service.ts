import type * as events from 'aws-cdk-lib/aws-events';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { BucketflowEngine } from './bucketflow-engine.js';
import type { BucketflowEngineProps, LambdaRunnerProps } from './bucketflow-engine-props.js';
import { BucketflowState, type BucketflowStateProps } from './bucketflow-state.js';
import type { SourceBucketOptions } from './source-bucket-rule.js';
import type { TaskRunnerFunction } from './task-runner-function.js';

/** The state settings a service passes on; its tables and ingest timeout stay the state's defaults. */
const STATE_KEYS = [
  'removalPolicy',
  'ingestBatchWindow',
  'dlqMaxReceiveCount',
  'eventArchiveRetention',
  'cacheExpiration',
] as const satisfies readonly (keyof BucketflowStateProps)[];

/**
 * The props of the state and the engine a service combines (the engine's
 * `state` is the service's own), and the buckets to wire at once.
 */
export interface BucketflowServiceProps
  extends Omit<BucketflowEngineProps, 'state'>,
    Pick<BucketflowStateProps, (typeof STATE_KEYS)[number]> {
  /** Buckets whose object events feed the automations; more with `addSourceBucket`. @default none */
  readonly sourceBuckets?: readonly s3.IBucket[];
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
    // The batching window is both the state's (queue visibility) and the engine's (event source).
    const {
      sourceBuckets,
      removalPolicy,
      dlqMaxReceiveCount,
      eventArchiveRetention,
      cacheExpiration,
      ...engineProps
    } = props;
    this.state = new BucketflowState(this, 'State', pick(props, STATE_KEYS));
    this.eventBus = this.state.eventBus;
    this.engine = new BucketflowEngine(this, 'Engine', { ...engineProps, state: this.state });
    for (const bucket of sourceBuckets ?? []) this.addSourceBucket(bucket);
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
