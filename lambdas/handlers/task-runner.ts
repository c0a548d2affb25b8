import { randomUUID } from 'node:crypto';
import type { AwsClients } from '../adapters/aws/aws-clients.js';
import { createAwsClients } from '../adapters/aws/aws-clients.js';
import { DynamoDbBatchStore } from '../adapters/aws/dynamodb-batch-store.js';
import { DynamoDbJobStore } from '../adapters/aws/dynamodb-job-store.js';
import { S3ObjectStorage } from '../adapters/aws/s3-object-storage.js';
import { decodeTaskMessage } from '../adapters/aws/sqs-task-messages.js';
import { SqsTaskQueue } from '../adapters/aws/sqs-task-queue.js';
import { JobTriggerCache } from '../sdk/job-trigger-cache.js';
import type { TaskClass } from '../sdk/task.js';
import { type AttemptOutcome, processDelivery } from '../sdk/task-attempt.js';
import { consoleLogSink } from '../sdk/task-logger.js';
import { TaskRegistry } from '../sdk/task-registry.js';
import { batchMembersReader } from '../sdk/triggers.js';
import { type HandlerConfig, loadHandlerConfig } from './config.js';
import { type SqsBatchResponse, sqsEventSchema } from './sqs-event.js';

/** Outcomes after which the message must stay on the queue (Lambda deletes the rest). */
const KEEP_MESSAGE: ReadonlySet<AttemptOutcome> = new Set(['claim-error', 'incompatible']);

export interface TaskRunnerHandlerOptions {
  /** The task classes this function runs. */
  readonly tasks: readonly TaskClass[];
  /** The cluster whose queue feeds the function. @default BUCKETFLOW_RUNNER_CLUSTER */
  readonly cluster?: string;
  /** Lease per attempt; keep it above the function timeout's share per task. @default 60 s */
  readonly leaseMs?: number;
  /** For tests and local mode: the configuration and clients instead of the environment's. */
  readonly config?: HandlerConfig;
  readonly clients?: AwsClients;
  readonly cacheBucket?: string;
}

/**
 * A Lambda task runner for a cluster queue (TaskRunnerFunction): each SQS
 * record is one delivery, processed by the same protocol as the long-running
 * runner (claim, heartbeat the lease, complete or fail). A record whose claim
 * call failed, or that no registered task may run, is reported as a failed
 * item so that SQS delivers it again.
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
  const batches = new DynamoDbBatchStore({
    client: clients.dynamodb,
    tableName: config.tables.batches,
  });
  const triggerEnvironment = { batchMembers: batchMembersReader(batches) };
  const triggers = new JobTriggerCache(jobs, triggerEnvironment);
  const leaseMs = options.leaseMs ?? 60_000;
  const deps = {
    jobs,
    queue,
    registry: new TaskRegistry(options.tasks),
    runnerId: `lambda-${randomUUID()}`,
    leaseMs,
    heartbeatMs: Math.floor(leaseMs / 3),
    releaseDelaySeconds: 5,
    cacheStorage: cacheBucket
      ? new S3ObjectStorage({ client: clients.s3, bucket: cacheBucket })
      : undefined,
    logSink: consoleLogSink,
    clock: Date.now,
    triggerEnvironment,
    triggerOf: (jobId: string) => triggers.get(jobId),
  };
  return async (input: unknown): Promise<SqsBatchResponse> => {
    const event = sqsEventSchema.parse(input);
    const failures: Array<{ itemIdentifier: string }> = [];
    await Promise.all(
      event.Records.map(async (record) => {
        let outcome: AttemptOutcome;
        try {
          const message = decodeTaskMessage(record.body, cluster);
          outcome = await processDelivery(deps, {
            message,
            receipt: { cluster, handle: record.receiptHandle ?? '' },
            messageId: record.messageId,
          });
        } catch {
          outcome = 'error';
        }
        if (KEEP_MESSAGE.has(outcome) || outcome === 'error') {
          failures.push({ itemIdentifier: record.messageId });
        }
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
