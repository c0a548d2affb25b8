import type { Message } from '@aws-sdk/client-sqs';
import {
  parseTaskVersion,
  type TaskIdentifier,
  taskIdentifier,
} from '../../../core/jobs/task-identifier.js';
import type { ReceivedTask, TaskMessage, TaskRoute } from '../../../core/ports/task-queue.js';
import {
  InvalidTaskMessageError,
  InvalidTaskQueueError,
  type RefusedEntry,
} from '../../../core/ports/task-queue.js';
import { isTraceparent } from '../../../core/ports/tracing.js';
import type { EntryFailure } from '../partial-batch-retry.js';

// The SQS limits the app shares with the CDK constructs; queue names live in
// task-queue-names.ts.

/** Receives before a message moves to its DLQ: rides out throttling, surfaces poison messages. */
export const TASK_QUEUE_MAX_RECEIVE_COUNT = 5;
/** How long a received message stays hidden: ample time to claim it in DynamoDB and delete it. */
export const TASK_QUEUE_VISIBILITY_SECONDS = 300;
/** Long polling: fewer empty receives, which SQS bills like full ones. */
export const TASK_QUEUE_WAIT_SECONDS = 20;
/** Both queues keep messages for the SQS maximum, 14 days. */
export const TASK_QUEUE_RETENTION_SECONDS = 1_209_600;
/** SQS caps DelaySeconds at 15 minutes; a longer backoff arrives early and the claim says `not-yet`. */
export const SQS_MAX_DELAY_SECONDS = 900;
/** SQS caps a visibility timeout at 12 hours. */
export const SQS_MAX_VISIBILITY_SECONDS = 43_200;
/** SQS: entries per SendMessageBatch / DeleteMessageBatch call. */
export const SQS_BATCH_MAX_ENTRIES = 10;
/** SQS: a message, and a whole batch, may hold at most 256 KiB. */
export const SQS_MAX_PAYLOAD_BYTES = 262_144;

/**
 * The message body: `{"jobId","taskId","attempt","version"}` as JSON, plus
 * `handOffs` once a runner handed the message on and `traceparent` when the
 * task is traced (a malformed one is dropped, never refused). The cluster and the task
 * name are the queue (its route); backoff is in the job store.
 *
 * @throws InvalidTaskMessageError when the ids are empty, the attempt is not a positive integer or the body exceeds 256 KiB
 * @example
 * ```ts
 * encodeTaskMessage({ jobId: 'j', taskId: 't', attempt: 1, cluster: 'gpu', identifier: taskIdentifier('Resize', 'v1.2') });
 * // '{"jobId":"j","taskId":"t","attempt":1,"version":"v1.2"}'
 * ```
 */
export function encodeTaskMessage(message: TaskMessage): string {
  const problem = fieldsProblem(message);
  if (problem) throw new InvalidTaskMessageError(problem.field, problem.problem);
  const body = JSON.stringify({
    jobId: message.jobId,
    taskId: message.taskId,
    attempt: message.attempt,
    version: message.identifier.version,
    ...(message.handOffs ? { handOffs: message.handOffs } : {}),
    ...(isTraceparent(message.traceparent) ? { traceparent: message.traceparent } : {}),
  });
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > SQS_MAX_PAYLOAD_BYTES) {
    throw new InvalidTaskMessageError(
      'body',
      `is ${bytes} bytes; SQS accepts at most ${SQS_MAX_PAYLOAD_BYTES}`,
      'task ids are short ULIDs; check what produced these ids',
    );
  }
  return body;
}

/**
 * Reads a message body written by {@link encodeTaskMessage} that was
 * received from the queue of `route`; its version must be of the route's
 * major version.
 *
 * @throws InvalidTaskMessageError
 * @example
 * ```ts
 * decodeTaskMessage('{"jobId":"j","taskId":"t","attempt":1,"version":"v1.2"}', { cluster: 'gpu', taskName: 'Resize', versionMajor: 1 });
 * ```
 */
export function decodeTaskMessage(body: string | undefined, route: TaskRoute): TaskMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body ?? '');
  } catch {
    throw new InvalidTaskMessageError(
      'body',
      'is not JSON',
      'task messages are sent by bucketflow',
    );
  }
  const candidate = (parsed ?? {}) as Record<string, unknown>;
  let identifier: TaskIdentifier;
  try {
    identifier = taskIdentifier(route.taskName, candidate.version as string, 'body');
  } catch (error) {
    throw new InvalidTaskMessageError(
      'version',
      `${JSON.stringify(candidate.version)} is not a task version (${error instanceof Error ? error.message : String(error)})`,
      'task messages are sent by bucketflow',
    );
  }
  if (parseTaskVersion(identifier.version).major !== route.versionMajor) {
    throw new InvalidTaskMessageError(
      'version',
      `${identifier.version} does not belong to the queue of major version ${route.versionMajor}`,
      'task messages are sent by bucketflow',
    );
  }
  const handOffs = candidate.handOffs;
  const message = {
    jobId: candidate.jobId,
    taskId: candidate.taskId,
    attempt: candidate.attempt,
    cluster: route.cluster,
    identifier,
    ...(Number.isInteger(handOffs) && (handOffs as number) > 0 ? { handOffs } : {}),
    ...(isTraceparent(candidate.traceparent) ? { traceparent: candidate.traceparent } : {}),
  } as TaskMessage;
  const problem = fieldsProblem(message);
  if (problem) throw new InvalidTaskMessageError(problem.field, problem.problem);
  return message;
}

/**
 * Delay for a message whose task may not be claimed before `notBefore`:
 * whole seconds, capped at {@link SQS_MAX_DELAY_SECONDS}.
 *
 * @example
 * ```ts
 * delaySecondsUntil(61_500, 0); // 62
 * ```
 */
export function delaySecondsUntil(notBefore: number | undefined, now: number): number {
  if (notBefore === undefined || !Number.isFinite(notBefore) || notBefore <= now) return 0;
  return Math.min(Math.ceil((notBefore - now) / 1000), SQS_MAX_DELAY_SECONDS);
}

function fieldsProblem(message: TaskMessage): { field: string; problem: string } | undefined {
  for (const field of ['jobId', 'taskId'] as const) {
    const value = message[field];
    if (typeof value !== 'string' || value.length === 0) {
      return { field, problem: `must be a non-empty string, got ${JSON.stringify(value)}` };
    }
  }
  if (!Number.isInteger(message.attempt) || message.attempt < 1) {
    return {
      field: 'attempt',
      problem: `must be an integer >= 1, got ${JSON.stringify(message.attempt)}`,
    };
  }
  return undefined;
}

/**
 * A failed entry of SendMessageBatch or DeleteMessageBatch. A sender fault
 * (malformed entry, invalid receipt handle) is not worth another call.
 *
 * @example
 * ```ts
 * entryFailure({ Id: '3', Code: 'InternalError', SenderFault: false }); // { index: 3, retryable: true, ... }
 * ```
 */
export function entryFailure(failure: {
  Id?: string | undefined;
  Code?: string | undefined;
  Message?: string | undefined;
  SenderFault?: boolean | undefined;
}): EntryFailure {
  return {
    index: Number(failure.Id),
    code: failure.Code ?? 'Unknown',
    message: failure.Message ?? '',
    retryable: failure.SenderFault !== true,
  };
}

/** An entry refused because of `error`, named by the error's class. */
export function refusal<T>(entry: T, error: unknown): RefusedEntry<T> {
  const { name, message } = error instanceof Error ? error : new Error(String(error));
  return { entry, code: name, message };
}

/**
 * Checks an integer setting against an SQS limit.
 *
 * @throws InvalidTaskQueueError
 * @example
 * ```ts
 * sqsInteger('waitSeconds', 20, 0, 20); // 20
 * ```
 */
export function sqsInteger(field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidTaskQueueError(
      field,
      `must be an integer from ${min} to ${max}, got ${value}`,
      'SQS limits apply',
    );
  }
  return value;
}

/** Told about a delivered message that is not a task message. */
export type InvalidMessageHandler = (info: {
  route: TaskRoute;
  messageId: string;
  error: InvalidTaskMessageError;
}) => void;

/**
 * The task messages among delivered SQS messages of `route`'s queue. A body
 * that is not a task message is reported and left alone: not deleting it lets
 * the redrive policy move it to the DLQ, where an operator sees it.
 *
 * @example
 * ```ts
 * const tasks = toReceivedTasks(output.Messages ?? [], route, url, (bad) => log.warn(bad.error.message));
 * ```
 */
export function toReceivedTasks(
  messages: readonly Message[],
  route: TaskRoute,
  queueUrl: string,
  onInvalid?: InvalidMessageHandler,
): ReceivedTask[] {
  const received: ReceivedTask[] = [];
  for (const { Body, ReceiptHandle, MessageId = '', Attributes } of messages) {
    if (!ReceiptHandle) continue;
    try {
      const { notBefore: _notBefore, ...message } = decodeTaskMessage(Body, route);
      const count = Number(Attributes?.ApproximateReceiveCount);
      received.push({
        message,
        receipt: { queue: queueUrl, handle: ReceiptHandle },
        messageId: MessageId,
        receiveCount: Number.isInteger(count) && count > 0 ? count : undefined,
      });
    } catch (error) {
      if (!(error instanceof InvalidTaskMessageError)) throw error;
      onInvalid?.({ route, messageId: MessageId, error });
    }
  }
  return received;
}
