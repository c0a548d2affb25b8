import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../lambdas/adapters/aws/deployment-environment.js';
import { parseTaskIdentifier } from '../lambdas/core/jobs/task-identifier.js';
import { routeKey, type TaskRoute, taskRouteOf } from '../lambdas/core/jobs/task-routing.js';
import { BucketflowFunction } from './bucketflow-function.js';
import type { BucketflowState } from './bucketflow-state.js';
import { type BundleSource, LAMBDA_ENTRY_MODULE } from './bundling.js';
import {
  DEFAULT_LOG_RETENTION,
  DLQ_RETENTION,
  TASK_QUEUE_PREFIX,
  TASK_RUNNER_BATCH_SIZE,
  TASK_RUNNER_MEMORY_MB,
  TASK_RUNNER_TIMEOUT,
  VISIBILITY_TIMEOUT_FACTOR,
} from './constants.js';
import { InvalidConstructPropsError } from './errors.js';
import { grantObjectReadWrite, grantTaskQueues } from './grants.js';
import {
  clusterSlugProblem,
  deadLetterQueueName,
  taskIdentifierProblem,
  taskQueueName,
} from './names.js';
import { grantTablesFor } from './tables.js';
import { taskIdentifiersOfModules } from './task-module-identifiers.js';

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
  /**
   * Identifiers (`Name@vX.Y`) of the tasks the function registers: it is fed
   * by one queue per task name and major version (dispatch v2), so synth must
   * know them. Required with `entry`.
   * @default read at synth from the task classes `taskModules` export
   */
  readonly tasks?: readonly string[];
  /** @default TASK_RUNNER_TIMEOUT (5 minutes) */
  readonly timeout?: Duration;
  /** @default TASK_RUNNER_MEMORY_MB (1024) */
  readonly memorySize?: number;
  /** Tasks per invocation, run concurrently. @default TASK_RUNNER_BATCH_SIZE (10) */
  readonly batchSize?: number;
  /** Most concurrent invocations the queue may drive (2-1000). @default no limit */
  readonly maxConcurrency?: number;
  /** @default LOG_RETENTION_DAYS (30 days) */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * A serverless task runner: a Lambda function on its cluster's task queues,
 * bundling the cluster's task modules with bucketflow's runner handler.
 * Creates one queue per task name and major version it registers (read from
 * the task modules at synth, or `tasks`) and the cluster's DLQ, under the
 * names the queue adapter uses for on-demand queues (`taskQueueName`),
 * consumes each with partial batch failures, and grants the tables and the
 * cache bucket. Without task modules
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
  /** One queue per route (task name and major version) of the registered tasks. */
  public readonly queues: readonly sqs.Queue[];
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
    const routes = routesOf(props);
    super(scope, id);
    this.cluster = props.cluster;
    const timeout = props.timeout ?? TASK_RUNNER_TIMEOUT;
    const visibility = Duration.seconds(
      Math.min(VISIBILITY_TIMEOUT_FACTOR * timeout.toSeconds(), MAX_VISIBILITY.toSeconds()),
    );
    // The app may already have created these queues on demand; the queues
    // outlive this function because they may hold tasks of the cluster.
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      queueName: deadLetterQueueName(props.cluster, prefix),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DLQ_RETENTION,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.queues = routes.map(
      (route, index) =>
        new sqs.Queue(this, index === 0 ? 'Queue' : `Queue${index + 1}`, {
          queueName: taskQueueName(route, prefix),
          encryption: sqs.QueueEncryption.SQS_MANAGED,
          enforceSSL: true,
          visibilityTimeout: visibility,
          deadLetterQueue: {
            queue: this.deadLetterQueue,
            maxReceiveCount: props.state.dlqMaxReceiveCount,
          },
          removalPolicy: RemovalPolicy.RETAIN,
        }),
    );

    this.runner = new BucketflowFunction(this, 'Runner', {
      source,
      description: `bucketflow: runs tasks of cluster ${props.cluster}`,
      timeout,
      memorySize: props.memorySize ?? TASK_RUNNER_MEMORY_MB,
      environment: { ...props.environment, [ENV.runnerCluster]: props.cluster },
      logRetention: props.logRetention ?? DEFAULT_LOG_RETENTION,
    });
    for (const queue of this.queues) {
      this.runner.function.addEventSource(
        new SqsEventSource(queue, {
          batchSize: props.batchSize ?? TASK_RUNNER_BATCH_SIZE,
          reportBatchItemFailures: true,
          ...(props.maxConcurrency === undefined ? {} : { maxConcurrency: props.maxConcurrency }),
        }),
      );
    }
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

/** The routes of the registered tasks: given, or read from the task modules at synth. */
function routesOf(props: TaskRunnerFunctionProps): TaskRoute[] {
  const modules = props.taskModules ?? [];
  if (props.tasks === undefined && props.entry !== undefined) {
    throw new InvalidConstructPropsError(
      'tasks',
      `is missing for cluster ${props.cluster}: a runner with an entry of yours is fed by the queues of the tasks it registers`,
      "list the identifiers your entry registers, e.g. tasks: ['Resize@v1.2']",
    );
  }
  const tasks =
    props.tasks ??
    taskIdentifiersOfModules(
      modules.map((path, index) => existingFile(`taskModules[${index}]`, path)),
    );
  if (tasks.length === 0) {
    throw new InvalidConstructPropsError(
      'tasks',
      `is empty for cluster ${props.cluster}: a Lambda runner is fed by the queues of the tasks it registers`,
      "list the identifiers it registers, e.g. tasks: ['Resize@v1.2'], or export task classes from taskModules",
    );
  }
  const routes = new Map<string, TaskRoute>();
  tasks.forEach((task, index) => {
    const problem = taskIdentifierProblem(task);
    if (problem) {
      throw new InvalidConstructPropsError(
        `tasks[${index}]`,
        `${JSON.stringify(task)} ${problem}`,
        "write it like 'Resize@v1.2'",
      );
    }
    const route = taskRouteOf(props.cluster, parseTaskIdentifier(task));
    routes.set(routeKey(route), route);
  });
  return [...routes.values()];
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
