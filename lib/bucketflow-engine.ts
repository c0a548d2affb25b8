import { type Duration, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { BucketflowEngineProps, LambdaRunnerProps } from './bucketflow-engine-props.js';
import { BucketflowFunction } from './bucketflow-function.js';
import { BucketflowMonitoring } from './bucketflow-monitoring.js';
import type { BucketflowState } from './bucketflow-state.js';
import { type HandlerName, handlerEntry } from './bundling.js';
import type { ConfigAutomations } from './config-automations.js';
import { wireConfig } from './config-wiring.js';
import { connectionOutput } from './connection-output.js';
import * as limits from './constants.js';
import { InvalidConstructPropsError } from './errors.js';
import { functionEnvironment } from './function-environment.js';
import { grantObjectRead, grantObjectReadWrite, grantTaskQueues } from './grants.js';
import { type SourceBucketOptions, sourceBucketRule } from './source-bucket-rule.js';
import { type FunctionRole, grantTablesFor } from './tables.js';
import { TaskRunnerFunction } from './task-runner-function.js';
import { validateEngineProps } from './validate-props.js';

/**
 * The stateless half of bucketflow: the ingest, sweep, cron and reconcile
 * functions with their event source and schedules, least-privilege grants,
 * source bucket wiring, Lambda task runners, dashboard and alarms.
 *
 * @example
 * ```ts
 * const engine = new BucketflowEngine(stack, 'Engine', { state });
 * engine.addSourceBucket(s3.Bucket.fromBucketName(stack, 'Data', 'my-data-bucket'));
 * ```
 */
export class BucketflowEngine extends Construct {
  public readonly ingestFunction: BucketflowFunction;
  public readonly sweepFunction: BucketflowFunction;
  public readonly cronFunction: BucketflowFunction;
  public readonly reconcileFunction: BucketflowFunction;
  public readonly schedules: Readonly<Record<'sweep' | 'cron' | 'reconcile', events.Rule>>;
  public readonly monitoring: BucketflowMonitoring;
  /** Environment every function receives (table names, bus, cache bucket, source buckets...). */
  public readonly environment: Readonly<Record<string, string>>;
  public readonly taskQueuePrefix: string;
  public readonly state: BucketflowState;
  public readonly logRetention: logs.RetentionDays;
  /** The deploy-time apply of `props.config`; undefined without a config. */
  public readonly configAutomations: ConfigAutomations | undefined;
  private readonly sourceBuckets: { bucket: s3.IBucket; key?: kms.IKey; name: string }[] = [];
  private readonly bucketReaders: iam.IGrantable[] = [];
  private readonly runners = new Map<string, TaskRunnerFunction>();

  constructor(scope: Construct, id: string, props: BucketflowEngineProps) {
    super(scope, id);
    const settings = validateEngineProps(props);
    this.state = props.state;
    this.logRetention = settings.logRetention;
    this.taskQueuePrefix = settings.taskQueuePrefix;
    const { state } = props;

    this.environment = functionEnvironment(state, this.taskQueuePrefix, () =>
      this.sourceBuckets.map((source) => source.name).join(','),
    );

    this.ingestFunction = this.handler('Ingest', 's3-ingest', 'ingest', {
      description: 'bucketflow: S3 events → storage-event jobs and prefix batches',
      timeout: limits.INGEST_FUNCTION_TIMEOUT,
      memorySize: limits.INGEST_FUNCTION_MEMORY_MB,
    });
    this.ingestFunction.function.addEventSource(
      new SqsEventSource(state.ingestQueue, {
        batchSize: settings.ingestBatchSize,
        maxBatchingWindow: settings.ingestBatchWindow,
        reportBatchItemFailures: true,
        ...(props.ingestMaxConcurrency === undefined
          ? {}
          : { maxConcurrency: props.ingestMaxConcurrency }),
      }),
    );
    const scheduled = {
      timeout: limits.SCHEDULED_FUNCTION_TIMEOUT,
      memorySize: limits.SCHEDULED_FUNCTION_MEMORY_MB,
      // The next tick repeats the work; an async retry would only overlap it.
      retryAttempts: 0,
    };
    this.sweepFunction = this.handler('BatchSweep', 'batch-sweep', 'sweep', {
      ...scheduled,
      description: 'bucketflow: closes quiet and aged batches, emits objects-batch-ready',
    });
    this.cronFunction = this.handler('CronTick', 'cron-tick', 'cron', {
      ...scheduled,
      description: 'bucketflow: submits one job per due cron fire time',
    });
    this.reconcileFunction = this.handler('TaskReconcile', 'task-reconcile', 'reconcile', {
      ...scheduled,
      description: 'bucketflow: re-queues tasks with expired leases or lost sends',
    });
    for (const fn of [this.ingestFunction, this.sweepFunction]) state.eventBus.grantPutEventsTo(fn);
    for (const fn of [
      this.ingestFunction,
      this.sweepFunction,
      this.cronFunction,
      this.reconcileFunction,
    ]) {
      grantTaskQueues(fn, this.taskQueuePrefix);
    }
    this.bucketReaders.push(this.ingestFunction);

    this.schedules = {
      sweep: this.schedule('SweepSchedule', settings.sweepPeriod, this.sweepFunction),
      cron: this.schedule('CronSchedule', settings.cronPeriod, this.cronFunction),
      reconcile: this.schedule(
        'ReconcileSchedule',
        settings.reconcilePeriod,
        this.reconcileFunction,
      ),
    };

    this.monitoring = new BucketflowMonitoring(this, 'Monitoring', {
      ingestQueue: state.ingestQueue,
      ingestDeadLetterQueue: state.ingestDeadLetterQueue,
      ingestAgeAlarmThreshold: settings.ingestAgeAlarmThreshold,
      ...(props.alarmTopic ? { alarmTopic: props.alarmTopic } : {}),
      ...(props.dashboardName ? { dashboardName: props.dashboardName } : {}),
    });
    this.monitoring.watchFunction('s3-ingest', this.ingestFunction.function);
    this.monitoring.watchFunction('batch-sweep', this.sweepFunction.function);
    this.monitoring.watchFunction('cron-tick', this.cronFunction.function);
    this.monitoring.watchFunction('task-reconcile', this.reconcileFunction.function);

    this.configAutomations = props.config
      ? wireConfig(this, { config: props.config, locationBuckets: props.locationBuckets })
      : undefined;
    connectionOutput(this);
  }

  /** Names of the buckets wired with {@link addSourceBucket} (tokens for buckets of this app). */
  get sourceBucketNames(): string[] {
    return this.sourceBuckets.map((source) => source.name);
  }

  /** Slugs of the clusters with a Lambda runner. */
  get lambdaClusters(): string[] {
    return [...this.runners.keys()];
  }

  /** Log group names of the clusters' Lambda runners, where their task log lines go. */
  get taskLogGroupNames(): string[] {
    return [...this.runners.values()].map((runner) => runner.runner.logGroup.logGroupName);
  }

  /**
   * Wires a source bucket in one call: the EventBridge rule to the ingest
   * queue, read access for the ingest function and every runner, the bucket in
   * the functions' `BUCKETFLOW_SOURCE_BUCKETS`, and a dashboard row with an
   * alarm. The bucket must send its events to EventBridge (docs/deploy.md).
   *
   * @example
   * ```ts
   * engine.addSourceBucket(s3.Bucket.fromBucketName(this, 'Raw', 'lab-raw-data'), { keyPrefixes: ['instrument/'] });
   * ```
   */
  addSourceBucket(bucket: s3.IBucket, options: SourceBucketOptions = {}): events.Rule {
    const name = bucket.bucketName;
    if (this.sourceBuckets.some((source) => source.bucket === bucket || source.name === name)) {
      throw new InvalidConstructPropsError(
        'bucket',
        `${Token.isUnresolved(name) ? 'this bucket' : name} is already a source bucket`,
        'add each bucket once',
      );
    }
    const id =
      options.id ??
      (Token.isUnresolved(name)
        ? `SourceBucket${this.sourceBuckets.length + 1}`
        : `SourceBucket-${name}`);
    const rule = sourceBucketRule(this, `${id}Rule`, {
      bucket,
      ingestQueue: this.state.ingestQueue,
      ingestDeadLetterQueue: this.state.ingestDeadLetterQueue,
      ...(options.eventTypes ? { eventTypes: options.eventTypes } : {}),
      ...(options.keyPrefixes ? { keyPrefixes: options.keyPrefixes } : {}),
    });
    const key = options.encryptionKey ?? bucket.encryptionKey;
    this.sourceBuckets.push({ bucket, name, ...(key ? { key } : {}) });
    for (const reader of this.bucketReaders) this.grantSourceRead(reader, bucket, key);
    this.monitoring.watchSourceBucket(id, name, rule);
    return rule;
  }

  /**
   * Runs a cluster's tasks on Lambda: see {@link TaskRunnerFunction}.
   *
   * @example
   * ```ts
   * engine.addTaskRunner('default', { taskModules: ['src/tasks.ts'], timeout: Duration.minutes(10) });
   * ```
   */
  addTaskRunner(cluster: string, options: LambdaRunnerProps = {}): TaskRunnerFunction {
    if (this.runners.has(cluster)) {
      throw new InvalidConstructPropsError(
        'cluster',
        `${cluster} already has a runner`,
        'add each cluster once',
      );
    }
    const runner = new TaskRunnerFunction(this, `Runner-${cluster}`, {
      ...options,
      cluster,
      state: this.state,
      environment: this.environment,
      taskQueuePrefix: this.taskQueuePrefix,
      logRetention: this.logRetention,
    });
    this.runners.set(cluster, runner);
    this.addBucketReader(runner.runner);
    this.monitoring.watchFunction(`runner-${cluster}`, runner.runner.function);
    this.monitoring.watchRunnerCluster(cluster, runner.queues, runner.deadLetterQueue);
    return runner;
  }

  /**
   * Grants an external runner (a role on ECS, EC2, a laptop...) what running
   * tasks needs: the runner tables, the cache bucket, the task queues
   * (send and receive) and read access to every source bucket, present and future.
   *
   * @example
   * ```ts
   * engine.grantRunnerAccess(ecsTaskRole);
   * ```
   */
  grantRunnerAccess(grantee: iam.IGrantable): void {
    this.grantTables(grantee, 'runner');
    grantObjectReadWrite(grantee, this.state.cacheBucket, 'tasks read and write their job caches');
    grantTaskQueues(grantee, this.taskQueuePrefix, { consume: true });
    this.addBucketReader(grantee);
  }

  private addBucketReader(grantee: iam.IGrantable): void {
    this.bucketReaders.push(grantee);
    for (const source of this.sourceBuckets)
      this.grantSourceRead(grantee, source.bucket, source.key);
  }

  private grantSourceRead(
    grantee: iam.IGrantable,
    bucket: s3.IBucket,
    key: kms.IKey | undefined,
  ): void {
    grantObjectRead(
      grantee,
      bucket,
      'storage event tasks read the objects that triggered them',
      key,
    );
  }

  private handler(
    id: string,
    name: HandlerName,
    role: FunctionRole,
    options: { description: string; timeout: Duration; memorySize: number; retryAttempts?: number },
  ): BucketflowFunction {
    const fn = new BucketflowFunction(this, id, {
      ...options,
      source: { entry: handlerEntry(name) },
      environment: this.environment,
      logRetention: this.logRetention,
    });
    this.grantTables(fn, role);
    return fn;
  }

  private grantTables(grantee: iam.IGrantable, role: FunctionRole): void {
    grantTablesFor(grantee, this.state, role);
  }

  private schedule(id: string, period: Duration, fn: BucketflowFunction): events.Rule {
    return new events.Rule(this, id, {
      description: `bucketflow: runs ${fn.node.id} every ${period.toHumanString()}`,
      schedule: events.Schedule.rate(period),
      targets: [new targets.LambdaFunction(fn.function)],
    });
  }
}
