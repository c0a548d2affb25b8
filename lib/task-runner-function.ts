import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BucketflowFunction } from './bucketflow-function.js';
import type { BucketflowState } from './bucketflow-state.js';
import { type BundleSource, LAMBDA_ENTRY_MODULE } from './bundling.js';
import {
  DLQ_RETENTION,
  LOG_RETENTION_DAYS,
  TASK_QUEUE_PREFIX,
  TASK_RUNNER_BATCH_SIZE,
  TASK_RUNNER_MEMORY_MB,
  TASK_RUNNER_TIMEOUT,
  VISIBILITY_TIMEOUT_FACTOR,
} from './constants.js';
import { ENV } from './environment.js';
import { InvalidConstructPropsError } from './errors.js';
import { grantObjectReadWrite, grantTaskQueues } from './grants.js';
import { clusterSlugProblem, taskQueueNames } from './names.js';
import { grantTablesFor } from './tables.js';

/** Lambda rejects visibility timeouts above 12 hours. */
const MAX_VISIBILITY = Duration.hours(12);

export interface TaskRunnerFunctionProps {
  /** Slug of the cluster whose tasks this function runs. */
  readonly cluster: string;
  readonly state: BucketflowState;
  /** Environment shared by every bucketflow function (tables, bus, cache bucket...). */
  readonly environment: Readonly<Record<string, string>>;
  /** @default TASK_QUEUE_PREFIX ('bucketflow-tasks-') */
  readonly taskQueuePrefix?: string;
  /**
   * Modules whose exported task classes the function runs (the rule of
   * `taskClassesOf`), as absolute paths or relative to the working directory
   * of `cdk synth`. They are bundled into the function with bucketflow's
   * runner handler. Give this or `entry`.
   */
  readonly taskModules?: readonly string[];
  /**
   * A file of yours exporting `handler = createTaskRunnerHandler({ tasks })`
   * (from `bucketflow/lambda`), instead of `taskModules`.
   */
  readonly entry?: string;
  /** @default TASK_RUNNER_TIMEOUT (5 minutes) */
  readonly timeout?: Duration;
  /** @default TASK_RUNNER_MEMORY_MB (1024) */
  readonly memorySize?: number;
  /** Tasks per invocation. @default TASK_RUNNER_BATCH_SIZE (1) */
  readonly batchSize?: number;
  /** Most concurrent invocations the queue may drive (2-1000). @default no limit */
  readonly maxConcurrency?: number;
  /** @default LOG_RETENTION_DAYS (30 days) */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * A serverless task runner: a Lambda function on a cluster's task queue,
 * bundling the cluster's task modules with bucketflow's runner handler.
 * Creates the queue and its DLQ under the names the queue adapter uses for
 * on-demand queues (`taskQueueNames`), consumes it with partial batch
 * failures, and grants the tables and the cache bucket. Without task modules
 * (or an entry of yours) it fails synth: such a function could run nothing.
 *
 * @example
 * ```ts
 * const runner = new TaskRunnerFunction(this, 'GpuRunner', { cluster: 'gpu', state, environment, taskModules: ['src/gpu-tasks.ts'] });
 * ```
 */
export class TaskRunnerFunction extends Construct {
  public readonly cluster: string;
  public readonly runner: BucketflowFunction;
  public readonly queue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: TaskRunnerFunctionProps) {
    // Checked before any construct is added, so a refused runner leaves nothing behind.
    const prefix = props.taskQueuePrefix ?? TASK_QUEUE_PREFIX;
    const problem = clusterSlugProblem(props.cluster, prefix);
    if (problem) {
      throw new InvalidConstructPropsError(
        'cluster',
        `${JSON.stringify(props.cluster)} ${problem}`,
        "use a short slug such as 'default' or 'gpu'",
      );
    }
    const source = runnerSource(props);
    super(scope, id);
    this.cluster = props.cluster;
    const timeout = props.timeout ?? TASK_RUNNER_TIMEOUT;
    const visibility = Duration.seconds(
      Math.min(VISIBILITY_TIMEOUT_FACTOR * timeout.toSeconds(), MAX_VISIBILITY.toSeconds()),
    );
    const names = taskQueueNames(props.cluster, prefix);
    // The app may already have created these queues on demand; the queues
    // outlive this function because they may hold tasks of the cluster.
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      queueName: names.deadLetterQueue,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DLQ_RETENTION,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      queueName: names.queue,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: visibility,
      deadLetterQueue: {
        queue: this.deadLetterQueue,
        maxReceiveCount: props.state.dlqMaxReceiveCount,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.runner = new BucketflowFunction(this, 'Runner', {
      source,
      description: `bucketflow: runs tasks of cluster ${props.cluster}`,
      timeout,
      memorySize: props.memorySize ?? TASK_RUNNER_MEMORY_MB,
      environment: { ...props.environment, [ENV.runnerCluster]: props.cluster },
      logRetention: props.logRetention ?? (LOG_RETENTION_DAYS as logs.RetentionDays),
    });
    this.runner.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: props.batchSize ?? TASK_RUNNER_BATCH_SIZE,
        reportBatchItemFailures: true,
        ...(props.maxConcurrency === undefined ? {} : { maxConcurrency: props.maxConcurrency }),
      }),
    );
    grantTablesFor(this.runner, props.state, 'runner');
    grantObjectReadWrite(
      this.runner,
      props.state.cacheBucket,
      'tasks read and write their job caches',
    );
    // Subtasks may go to any cluster's queue.
    grantTaskQueues(this.runner, prefix);
  }
}

/** The function's code: the user's entry, or an entry generated from the task modules. */
function runnerSource(props: TaskRunnerFunctionProps): BundleSource {
  const modules = props.taskModules ?? [];
  if (props.entry !== undefined && modules.length > 0) {
    throw new InvalidConstructPropsError(
      'entry',
      `is given together with taskModules for cluster ${props.cluster}`,
      'give one: taskModules (bucketflow bundles its runner with them) or your own entry',
    );
  }
  if (props.entry !== undefined) return { entry: existingFile('entry', props.entry) };
  if (modules.length === 0) {
    throw new InvalidConstructPropsError(
      'taskModules',
      `is empty for cluster ${props.cluster}, so its Lambda runner would have no task to run`,
      "list the modules that export the cluster's task classes, e.g. taskModules: ['src/tasks.ts'] (in bucketflow.config.ts: clusters." +
        `${props.cluster}.taskModules), or pass entry: a file exporting handler = createTaskRunnerHandler({ tasks })`,
    );
  }
  const cwd = process.cwd();
  const files = modules.map((path, index) => existingFile(`taskModules[${index}]`, path));
  const imports = files.map((file, index) => `import * as m${index} from ${JSON.stringify(file)};`);
  const list = files.map((file, index) => `[${JSON.stringify(relative(cwd, file))}, m${index}]`);
  const contents = [
    `import { createTaskRunnerHandler, taskClassesOfModules } from ${JSON.stringify(LAMBDA_ENTRY_MODULE)};`,
    ...imports,
    `export const handler = createTaskRunnerHandler({ tasks: taskClassesOfModules([${list.join(', ')}]) });`,
    '',
  ].join('\n');
  return { contents, resolveDir: cwd, name: `bucketflow-runner-${props.cluster}.mjs` };
}

/** The absolute path of a file that exists, for a synth error that names it otherwise. */
function existingFile(field: string, path: string): string {
  const file = isAbsolute(path) ? path : resolve(process.cwd(), path);
  if (!existsSync(file)) {
    throw new InvalidConstructPropsError(
      field,
      `${file} does not exist`,
      'give the path of the module, absolute or relative to the directory cdk synth runs in',
    );
  }
  return file;
}
