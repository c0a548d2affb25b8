import { randomUUID } from 'node:crypto';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { type AwsClients, createAwsClients } from '../adapters/aws/aws-clients.js';
import { ENV } from '../adapters/aws/deployment-environment.js';
import { decodeTaskMessage } from '../adapters/aws/queues/task-messages.js';
import { taskQueueName } from '../adapters/aws/queues/task-queue-names.js';
import { startTracing } from '../adapters/otel/tracing-setup.js';
import { DEFAULT_CLUSTER_SLUG } from '../core/automations/cluster-slug.js';
import { type TaskRoute, taskRouteOf } from '../core/jobs/task-routing.js';
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

/** Lease per attempt; the heartbeat renews it while the task runs, up to the function timeout. */
const LAMBDA_LEASE_MS = 60_000;
/** A Lambda runner's registration lasts a day; any invocation after an hour renews it. */
const LAMBDA_RUNNER_TTL_MS = 24 * 60 * 60_000;
const LAMBDA_RUNNER_REFRESH_MS = 60 * 60_000;

export interface TaskRunnerHandlerOptions {
  /** The task classes this function runs; it is fed by the queue of each one's name and major version. */
  readonly tasks: readonly TaskClass[];
  /** The cluster whose queues feed the function. @default BUCKETFLOW_RUNNER_CLUSTER */
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
 * A Lambda task runner (TaskRunnerFunction), fed by the queues of the routes
 * it registered (one per task name and major version on its cluster; the
 * CDK maps each of them to the function). It is composed like a process
 * runner, by `Client.runnerOptions` and `runnerDependencies`, so its tasks get
 * the same job caches, trigger storage and batch members. Each SQS record is
 * one delivery, processed by the runner's protocol (claim, heartbeat the
 * lease, complete or fail) through Powertools' batch processor. Lambda
 * deletes the records that succeed; a record whose claim call or processing
 * failed, or that comes from a queue this function does not poll, is
 * reported as a failed item so that SQS delivers it again; one that needs a
 * newer minor version is handed on as a delayed copy.
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
  const cluster = options.cluster ?? env[ENV.runnerCluster] ?? DEFAULT_CLUSTER_SLUG;
  const clients = options.clients ?? createAwsClients({ region: config.region });
  const client = Client.fromClients(clients, {
    tables: config.tables,
    taskQueuePrefix: config.taskQueuePrefix,
    taskQueueMaxReceiveCount: config.taskQueueMaxReceiveCount,
    cacheBucket: options.cacheBucket ?? env[ENV.cacheBucket],
  });
  const metrics = new MetricEmitter(options.metrics);
  // Attempt spans go over OTLP when the stack sets an endpoint (docs/tracing.md); else none.
  const tracing = startTracing({ serviceName: LOG_SERVICE_NAME, env, batch: true });
  const runnerOptions = client.runnerOptions({
    cluster,
    tasks: options.tasks,
    runnerId: `lambda-${randomUUID()}`,
    leaseMs: options.leaseMs ?? LAMBDA_LEASE_MS,
  });
  const deps = runnerDependencies({
    ...runnerOptions,
    logSink: powertoolsLogSink(
      options.logger ?? new Logger({ serviceName: LOG_SERVICE_NAME, persistentKeys: { cluster } }),
    ),
    observeAttempt: (attempt) => emitAttempt(metrics, cluster, attempt),
  });
  const identifiers = runnerOptions.registry.identifiers();
  const routes = new Map<string, TaskRoute>();
  for (const identifier of identifiers) {
    const route = taskRouteOf(cluster, identifier);
    routes.set(taskQueueName(route, config.taskQueuePrefix), route);
  }
  let announcedAt = Number.NEGATIVE_INFINITY;
  const announce = async () => {
    if (!runnerOptions.announcements || Date.now() - announcedAt <= LAMBDA_RUNNER_REFRESH_MS)
      return;
    announcedAt = Date.now();
    // Tells job views which tasks this function takes; routing does not depend on it.
    await runnerOptions.announcements
      .announce(
        { runnerId: deps.runnerId, cluster, identifiers, kind: 'lambda' },
        LAMBDA_RUNNER_TTL_MS,
      )
      .catch(() => {
        announcedAt = Number.NEGATIVE_INFINITY;
      });
  };
  const processor = new BatchProcessor(EventType.SQS);
  const processRecord = async (record: SqsRecord): Promise<AttemptOutcome> => {
    const queueName = record.eventSourceARN?.split(':').at(-1) ?? '';
    const route = routes.get(queueName);
    if (!route) throw new DeliveryNotDone(`queue ${queueName} is not one this function polls`);
    let kept = false;
    const outcome = await processDelivery(
      deps,
      {
        message: decodeTaskMessage(record.body, route),
        receipt: { queue: queueName, handle: record.receiptHandle ?? '' },
        messageId: record.messageId,
      },
      // Lambda deletes every record not reported as failed.
      { ack: () => {}, keep: () => (kept = true) },
    );
    if (kept || outcome === 'error') throw new DeliveryNotDone(outcome);
    return outcome;
  };
  return async (input: SqsEvent): Promise<SqsBatchResponse> => {
    const event = sqsEventSchema.parse(input);
    await announce();
    try {
      // Every record gets its answer in the response, also when all of them stay queued.
      return await processPartialResponse(event, processRecord, processor, {
        throwOnFullBatchFailure: false,
      });
    } finally {
      metrics.publish();
      await tracing.flush();
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
