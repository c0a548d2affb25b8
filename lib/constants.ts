import { Duration } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import {
  DEAD_LETTER_RETENTION_DAYS,
  INGEST_QUEUE_RETENTION_DAYS,
} from '../lambdas/core/retention.js';

// Limits and defaults of the AWS stack, in one place. Handlers read the
// resulting values from their environment, never from this file.

/** Events per ingest invocation: big batches amortise one DynamoDB update per (automation, prefix). */
export const INGEST_BATCH_SIZE = 1000;
/** SQS event source mappings accept at most 10,000 messages per batch. */
export const INGEST_BATCH_SIZE_MAX = 10_000;
/** How long Lambda gathers messages before invoking the ingest function. */
export const INGEST_BATCH_WINDOW_SECONDS = 10;
/** {@link INGEST_BATCH_WINDOW_SECONDS} as the props' Duration: the state's and the engine's default. */
export const DEFAULT_INGEST_BATCH_WINDOW = Duration.seconds(INGEST_BATCH_WINDOW_SECONDS);
/** Lambda caps the batching window of an SQS event source at 300 s. */
export const INGEST_BATCH_WINDOW_SECONDS_MAX = 300;
/** Lambda accepts an SQS batch size above this only with a batching window of at least 1 s. */
export const SQS_BATCH_SIZE_WITHOUT_WINDOW_MAX = 10;

/**
 * Whether Lambda would reject an SQS event source with this batch size and
 * window: batches above {@link SQS_BATCH_SIZE_WITHOUT_WINDOW_MAX} need a window.
 *
 * @example
 * ```ts
 * batchingWindowMissing(1000, 0); // true
 * ```
 */
export function batchingWindowMissing(batchSize: number, windowSeconds: number): boolean {
  return batchSize > SQS_BATCH_SIZE_WITHOUT_WINDOW_MAX && windowSeconds < 1;
}
export const INGEST_FUNCTION_TIMEOUT = Duration.seconds(60);
export const INGEST_FUNCTION_MEMORY_MB = 1024;

/**
 * AWS advises a queue visibility timeout of at least six times the function
 * timeout (plus the batching window) so that Lambda's own retries of a
 * throttled batch do not make messages visible again while they are processed.
 */
export const VISIBILITY_TIMEOUT_FACTOR = 6;
/** Receives before a message moves to its DLQ: enough for transient throttling, few enough to surface poison events. */
export const DLQ_MAX_RECEIVE_COUNT = 5;
/** DLQs keep messages for the SQS maximum so that a redrive is possible after a long weekend. */
export const DLQ_RETENTION = Duration.days(DEAD_LETTER_RETENTION_DAYS);
/** Ingest messages wait at most this long; the age alarm fires long before, and the dedupe records outlive it. */
export const INGEST_RETENTION = Duration.days(INGEST_QUEUE_RETENTION_DAYS);

/** Default period of the sweep, cron and reconcile schedules. EventBridge rates cannot go below one minute. */
export const SCHEDULE_PERIOD_MINUTES = 1;
export const SCHEDULE_PERIOD_MINUTES_MAX = 60;
/** Scheduled handlers finish within one period so that runs rarely overlap (overlaps are safe: writes are conditional). */
export const SCHEDULED_FUNCTION_TIMEOUT = Duration.seconds(55);
export const SCHEDULED_FUNCTION_MEMORY_MB = 256;

export const LOG_RETENTION_DAYS = 30;
/** {@link LOG_RETENTION_DAYS} as the props' RetentionDays: the engine's and the runners' default. */
export const DEFAULT_LOG_RETENTION = LOG_RETENTION_DAYS as logs.RetentionDays;
/** Days the bus archive keeps `objects-batch-ready` events for replay; 0 keeps them forever. */
export const EVENT_ARCHIVE_RETENTION_DAYS = 30;
/** The ingest queue's oldest message may be this old before the age alarm fires. */
export const INGEST_AGE_ALARM_SECONDS = 300;

export const TASK_RUNNER_TIMEOUT = Duration.minutes(5);
export const TASK_RUNNER_MEMORY_MB = 1024;
/**
 * Up to 10 tasks per invocation (one ReceiveMessage and one DeleteMessageBatch
 * for all): the handler runs a batch's records concurrently and reports each
 * failure alone, so neighbours neither wait to start nor run again; the task's
 * truth is its DynamoDB lease, not the message.
 */
export const TASK_RUNNER_BATCH_SIZE = 10;

/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_CHOICES = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

// The task queue names are shared with the runtime adapter that creates queues on demand.
export {
  SQS_QUEUE_NAME_MAX,
  TASK_DLQ_SUFFIX,
  TASK_QUEUE_PREFIX,
} from '../lambdas/adapters/aws/queues/task-queue-names.js';
