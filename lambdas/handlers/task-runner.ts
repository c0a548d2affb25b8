import { randomUUID } from 'node:crypto';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { type AwsClients, createAwsClients } from '../adapters/aws/aws-clients.js';
import { decodeTaskMessage } from '../adapters/aws/sqs-task-messages.js';
import { METRIC_CATALOG } from '../core/metrics/metric-catalog.js';
import { Client } from '../sdk/client.js';
import { LOG_SERVICE_NAME, powertoolsLogSink } from '../sdk/powertools-log-sink.js';
import { runnerDependencies } from '../sdk/runner-dependencies.js';
import type { TaskClass } from '../sdk/task.js';
import { type AttemptOutcome, type AttemptReport, processDelivery } from '../sdk/task-attempt.js';
import { type HandlerConfig, loadHandlerConfig } from './config.js';
import { MetricEmitter } from './metric-emitter.js';
import {
  type SqsBatchResponse,
  type SqsEvent,
  type SqsRecord,
  sqsEventSchema,
} from './sqs-event.js';

/** Outcomes after which the message must stay on the queue (Lambda deletes the rest). */
const KEEP_MESSAGE: ReadonlySet<AttemptOutcome> = new Set(['claim-error', 'incompatible', 'error']);
/** Lease per attempt; the heartbeat renews it while the task runs, up to the function timeout. */
const LAMBDA_LEASE_MS = 60_000;

export interface TaskRunnerHandlerOptions {
  /** The task classes this function runs. */
  readonly tasks: readonly TaskClass[];
  /** The cluster whose queue feeds the function. @default BUCKETFLOW_RUNNER_CLUSTER */
  readonly cluster?: string;
  /** Lease per attempt, renewed by heartbeats while the task runs. @default 60 s */
  readonly leaseMs?: number;
  /** For tests and local mode: the configuration and clients instead of the environment's. */
  readonly config?: HandlerConfig;
  readonly clients?: AwsClients;
  /** Bucket of job caches. @default BUCKETFLOW_CACHE_BUCKET */
  readonly cacheBucket?: string;
  /** Powertools Metrics for the task metrics. @default the catalogue's namespace and service */
  readonly metrics?: Metrics;
  /**
   * Powertools Logger the attempts' lines go through, each with its
   * correlation keys (jobId, taskId, attempt, the trigger's automation,
   * bucket, key, batchId). @default a Logger of service `bucketflow`
   */
  readonly logger?: Logger;
}

/** The message that did not complete a delivery, so Powertools reports it as a failed item. */
class DeliveryNotDone extends Error {}

/**
 * A Lambda task runner for a cluster queue (TaskRunnerFunction). It is
 * composed like a process runner, by `Client.runnerOptions` and
 * `runnerDependencies`, so its tasks get the same job caches and trigger
 * storage (`this.trigger.storage.read(key)` reads the S3 object). Each SQS
 * record is one delivery, processed by the runner's protocol (claim,
 * heartbeat the lease, complete or fail) through Powertools' batch
 * processor: a record whose claim call failed, that no registered task may
 * run, or whose processing failed is reported as a failed item, so that SQS
 * delivers it again.
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
  const client = Client.fromClients(clients, {
    tables: config.tables,
    taskQueuePrefix: config.taskQueuePrefix,
    taskQueueMaxReceiveCount: config.taskQueueMaxReceiveCount,
    cacheBucket: options.cacheBucket ?? env.BUCKETFLOW_CACHE_BUCKET,
  });
  const metrics = new MetricEmitter(options.metrics);
  const deps = runnerDependencies({
    ...client.runnerOptions({
      cluster,
      tasks: options.tasks,
      runnerId: `lambda-${randomUUID()}`,
      leaseMs: options.leaseMs ?? LAMBDA_LEASE_MS,
    }),
    logSink: powertoolsLogSink(
      options.logger ?? new Logger({ serviceName: LOG_SERVICE_NAME, persistentKeys: { cluster } }),
    ),
    observeAttempt: (attempt) => emitAttempt(metrics, cluster, attempt),
  });
  const processor = new BatchProcessor(EventType.SQS);
  const processRecord = async (record: SqsRecord): Promise<AttemptOutcome> => {
    const message = decodeTaskMessage(record.body, cluster);
    const outcome = await processDelivery(deps, {
      message,
      receipt: { cluster, handle: record.receiptHandle ?? '' },
      messageId: record.messageId,
    });
    if (KEEP_MESSAGE.has(outcome)) throw new DeliveryNotDone(outcome);
    return outcome;
  };
  return async (input: SqsEvent): Promise<SqsBatchResponse> => {
    const event = sqsEventSchema.parse(input);
    try {
      // Every record gets its answer in the response, also when all of them stay queued.
      return await processPartialResponse(event, processRecord, processor, {
        throwOnFullBatchFailure: false,
      });
    } finally {
      metrics.publish();
    }
  };
}

/** The per-cluster task metrics of one claimed attempt. */
function emitAttempt(metrics: MetricEmitter, cluster: string, attempt: AttemptReport): void {
  metrics.emit(METRIC_CATALOG.taskDuration, attempt.durationMs, { cluster });
  if (attempt.outcome !== 'failed') return;
  const failure = attempt.retried ? METRIC_CATALOG.taskRetries : METRIC_CATALOG.taskFailures;
  metrics.emit(failure, 1, { cluster });
}
