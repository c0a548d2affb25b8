import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { parseTaskIdentifier } from '../lambdas/core/jobs/task-identifier.js';
import { routeKey, type TaskRoute, taskRouteOf } from '../lambdas/core/jobs/task-routing.js';
import { BucketflowFunction, handlerEntry } from './bucketflow-function.js';
import type { BucketflowState } from './bucketflow-state.js';
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
import { grantObjectReadWrite, grantTableAccess, grantTaskQueues } from './grants.js';
import {
  clusterSlugProblem,
  deadLetterQueueName,
  taskIdentifierProblem,
  taskQueueName,
} from './names.js';
import { TABLE_ACCESS } from './tables.js';

/** Lambda rejects visibility timeouts above 12 hours. */
const MAX_VISIBILITY = Duration.hours(12);

export interface TaskRunnerFunctionProps {
  /** Slug of the cluster whose tasks this function runs. */
  readonly cluster: string;
  /**
   * The identifiers (`Name@vX.Y`) of the task classes your `entry` registers:
   * the function is fed by the queue of each name and major version, so it
   * only ever receives tasks it can run. Required.
   */
  readonly tasks?: readonly string[];
  readonly state: BucketflowState;
  /** Environment shared by every bucketflow function (tables, bus, cache bucket...). */
  readonly environment: Readonly<Record<string, string>>;
  /** @default TASK_QUEUE_PREFIX ('bucketflow-tasks-') */
  readonly taskQueuePrefix?: string;
  /** A file exporting `handler` that registers your tasks with the runner. @default lambdas/handlers/task-runner.ts */
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
 * A serverless task runner: a Lambda function on the task queues of the
 * tasks it registers on one cluster (one queue per task name and major
 * version, named as the app names the queues it creates on demand, and the
 * cluster's DLQ). Consumes each with partial batch failures, and grants the
 * job table and the cache bucket.
 *
 * @example
 * ```ts
 * const runner = new TaskRunnerFunction(this, 'GpuRunner', {
 *   cluster: 'gpu', tasks: ['Resize@v1.2'], state, environment, entry: 'src/runner.ts',
 * });
 * ```
 */
export class TaskRunnerFunction extends Construct {
  public readonly cluster: string;
  public readonly runner: BucketflowFunction;
  /** One queue per registered task name and major version, in the order of `tasks`. */
  public readonly queues: readonly sqs.Queue[];
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: TaskRunnerFunctionProps) {
    super(scope, id);
    const prefix = props.taskQueuePrefix ?? TASK_QUEUE_PREFIX;
    const problem = clusterSlugProblem(props.cluster, prefix);
    if (problem) {
      throw new InvalidConstructPropsError(
        'cluster',
        `${JSON.stringify(props.cluster)} ${problem}`,
        "use a short slug such as 'default' or 'gpu'",
      );
    }
    this.cluster = props.cluster;
    const routes = routesOf(props.cluster, props.tasks ?? []);
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
      entry: props.entry ?? handlerEntry('task-runner'),
      description: `bucketflow: runs tasks of cluster ${props.cluster}`,
      timeout,
      memorySize: props.memorySize ?? TASK_RUNNER_MEMORY_MB,
      environment: { ...props.environment, [ENV.runnerCluster]: props.cluster },
      logRetention: props.logRetention ?? (LOG_RETENTION_DAYS as logs.RetentionDays),
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
    for (const definition of props.state.tableDefinitions) {
      const access = TABLE_ACCESS[definition.id]?.runner;
      if (access) {
        grantTableAccess(this.runner, props.state.table(definition.id), definition, access);
      }
    }
    grantObjectReadWrite(
      this.runner,
      props.state.cacheBucket,
      'tasks read and write their job caches',
    );
    // Subtasks may go to any cluster's queue.
    grantTaskQueues(this.runner, prefix);
  }
}

/** The routes of the identifiers a runner registers, one per name and major version. */
function routesOf(cluster: string, tasks: readonly string[]): TaskRoute[] {
  if (tasks.length === 0) {
    throw new InvalidConstructPropsError(
      'tasks',
      'is empty: a Lambda runner is fed by the queues of the tasks it registers',
      "list the identifiers your entry registers, e.g. tasks: ['Resize@v1.2']",
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
    const route = taskRouteOf(cluster, parseTaskIdentifier(task));
    routes.set(routeKey(route), route);
  });
  return [...routes.values()];
}
