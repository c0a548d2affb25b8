import { randomUUID } from 'node:crypto';
import type { AwsClients } from '../adapters/aws/aws-clients.js';
import { createAwsClients } from '../adapters/aws/aws-clients.js';
import { DynamoDbJobStore } from '../adapters/aws/dynamodb-job-store.js';
import { DynamoDbRunnerRegistry } from '../adapters/aws/dynamodb-runner-registry.js';
import { S3ObjectStorage } from '../adapters/aws/s3-object-storage.js';
import { decodeTaskMessage } from '../adapters/aws/sqs-task-messages.js';
import { SqsTaskQueue } from '../adapters/aws/sqs-task-queue.js';
import { taskQueueName } from '../adapters/aws/task-queue-names.js';
import { type TaskRoute, taskRouteOf } from '../core/jobs/task-routing.js';
import { JobTriggerCache } from '../sdk/job-trigger-cache.js';
import type { TaskClass } from '../sdk/task.js';
import { type AttemptOutcome, processDelivery } from '../sdk/task-attempt.js';
import { consoleLogSink, type LogSink } from '../sdk/task-logger.js';
import { TaskRegistry } from '../sdk/task-registry.js';
import { type HandlerConfig, loadHandlerConfig } from './config.js';
import { type SqsBatchResponse, sqsEventSchema } from './sqs-event.js';

/** A Lambda runner's registration lasts a day; any invocation after an hour renews it. */
const LAMBDA_RUNNER_TTL_MS = 24 * 60 * 60_000;
const LAMBDA_RUNNER_REFRESH_MS = 60 * 60_000;

export interface TaskRunnerHandlerOptions {
  /** The task classes this function runs; it is fed by the queue of each one's name and major version. */
  readonly tasks: readonly TaskClass[];
  /** The cluster whose queues feed the function. @default BUCKETFLOW_RUNNER_CLUSTER */
  readonly cluster?: string;
  /** Lease per attempt; keep it above the function timeout's share per task. @default 60 s */
  readonly leaseMs?: number;
  /** For tests and local mode: the configuration and clients instead of the environment's. */
  readonly config?: HandlerConfig;
  readonly clients?: AwsClients;
  readonly cacheBucket?: string;
  /** Where task log lines go. @default consoleLogSink (one JSON line each, for CloudWatch) */
  readonly logSink?: LogSink;
}

/**
 * A Lambda task runner (TaskRunnerFunction), fed by the queues of the routes
 * it registered (one per task name and major version on its cluster): each
 * SQS record is one delivery, processed by the same protocol as the
 * long-running runner (claim, heartbeat the lease, complete or fail). Lambda
 * deletes the records that succeed; a record whose claim call failed is
 * reported as a failed item so that SQS delivers it again, and one that
 * needs a newer minor version is handed on as a delayed copy.
 *
 * @example
 * ```ts
 * // my-runner.ts, passed as `entry` to TaskRunnerFunction
 * export const handler = createTaskRunnerHandler({ tasks: [Thumbnail, Resize] });
 * ```
 */
export function createTaskRunnerHandler(options: TaskRunnerHandlerOptions) {
  // Lambda's environment is the configuration boundary of a deployed runner.
  const env = process.env;
  const config = options.config ?? loadHandlerConfig(env);
  const cluster = options.cluster ?? env.BUCKETFLOW_RUNNER_CLUSTER ?? 'default';
  const clients = options.clients ?? createAwsClients({ region: config.region });
  const cacheBucket = options.cacheBucket ?? env.BUCKETFLOW_CACHE_BUCKET;
  const jobs = new DynamoDbJobStore({ client: clients.dynamodb, tableName: config.tables.jobs });
  const queue = new SqsTaskQueue({ client: clients.sqs, prefix: config.taskQueuePrefix });
  const registry = new TaskRegistry(options.tasks);
  const identifiers = registry.identifiers();
  const routes = new Map<string, TaskRoute>();
  for (const identifier of identifiers) {
    const route = taskRouteOf(cluster, identifier);
    routes.set(taskQueueName(route, config.taskQueuePrefix), route);
  }
  const runners = new DynamoDbRunnerRegistry({
    client: clients.dynamodb,
    tableName: config.tables.jobs,
  });
  const runnerId = `lambda-${randomUUID()}`;
  let announcedAt = Number.NEGATIVE_INFINITY;
  const leaseMs = options.leaseMs ?? 60_000;
  const deps = {
    jobs,
    queue,
    registry,
    runnerId,
    leaseMs,
    heartbeatMs: Math.floor(leaseMs / 3),
    handOnDelaySeconds: 5,
    cacheStorage: cacheBucket
      ? new S3ObjectStorage({ client: clients.s3, bucket: cacheBucket })
      : undefined,
    logSink: options.logSink ?? consoleLogSink,
    clock: Date.now,
    triggers: new JobTriggerCache(jobs),
  };
  return async (input: unknown): Promise<SqsBatchResponse> => {
    const event = sqsEventSchema.parse(input);
    if (Date.now() - announcedAt > LAMBDA_RUNNER_REFRESH_MS) {
      announcedAt = Date.now();
      // Tells job views which tasks this function takes; routing does not depend on it.
      await runners
        .announce({ runnerId, cluster, identifiers, kind: 'lambda' }, LAMBDA_RUNNER_TTL_MS)
        .catch(() => {
          announcedAt = Number.NEGATIVE_INFINITY;
        });
    }
    const failures: Array<{ itemIdentifier: string }> = [];
    await Promise.all(
      event.Records.map(async (record) => {
        const queueName = record.eventSourceARN?.split(':').at(-1) ?? '';
        const route = routes.get(queueName);
        let outcome: AttemptOutcome = 'error';
        let kept = false;
        if (route) {
          try {
            outcome = await processDelivery(
              deps,
              {
                message: decodeTaskMessage(record.body, route),
                receipt: { queue: queueName, handle: record.receiptHandle ?? '' },
                messageId: record.messageId,
              },
              // Lambda deletes every record not reported as failed.
              { ack: () => {}, keep: () => (kept = true) },
            );
          } catch {
            outcome = 'error';
          }
        }
        if (kept || outcome === 'error') failures.push({ itemIdentifier: record.messageId });
      }),
    );
    return { batchItemFailures: failures };
  };
}

/**
 * The default entry has no tasks to run: TaskRunnerFunction needs an `entry`
 * of yours that exports `createTaskRunnerHandler({ tasks: [...] })`.
 */
export const handler = async (): Promise<never> => {
  throw new Error(
    'bucketflow: this task runner function has no tasks. Pass `entry` to TaskRunnerFunction: a file ' +
      'exporting `handler = createTaskRunnerHandler({ tasks: [YourTask] })`.',
  );
};
