import { BucketflowError, ValidationError } from '../errors.js';
import type { TaskIdentifier } from '../jobs/task-identifier.js';
import type { TaskRoute } from '../jobs/task-routing.js';

export type { TaskRoute } from '../jobs/task-routing.js';

/**
 * A message on a task queue, and what a claim names: the task, the attempt
 * it may start (1 for the first claim) and the identifier it was submitted
 * as. The task's truth (state, input, lease, backoff) is in the job store,
 * whose released tasks are these messages. A message for an older attempt
 * can no longer claim, so duplicate and stale sends are harmless.
 */
export interface TaskMessage {
  readonly jobId: string;
  readonly taskId: string;
  /** The attempt a claim with this message would start: the task's `attempts` + 1 when it was released. */
  readonly attempt: number;
  /** Cluster slug: with the identifier's name and major version, which queue the message goes to. */
  readonly cluster: string;
  /** The identifier the task was submitted as; its minor version tells a runner whether it may run it. */
  readonly identifier: TaskIdentifier;
  /**
   * Epoch ms before which a claim is refused (retry backoff); 0 or absent for
   * at once. The message is delayed towards it, but a queue may cap the
   * delay (SQS: 15 minutes), so a message can arrive early: the claim, not the
   * queue, enforces `notBefore`.
   */
  readonly notBefore?: number | undefined;
  /** How often runners with an older minor version handed the message on; 0 or absent at first. */
  readonly handOffs?: number | undefined;
  /** The span the attempt is a child of (W3C traceparent), when the task was traced. */
  readonly traceparent?: string | undefined;
}

/** Names one delivery of a message, to acknowledge or release it. Opaque outside the adapter. */
export interface TaskReceipt {
  /** The queue the message was received from (the adapter's queue address). */
  readonly queue: string;
  readonly handle: string;
}

/** A delivered task message. */
export interface ReceivedTask {
  readonly message: Omit<TaskMessage, 'notBefore'>;
  readonly receipt: TaskReceipt;
  readonly messageId: string;
  /** Deliveries so far, this one included; undefined when the queue does not say. */
  readonly receiveCount?: number | undefined;
}

export interface ReceiveOptions {
  /** Messages to return at most, 1-10. @default 10 */
  readonly max?: number | undefined;
  /** Long-poll seconds, 0-20. @default the queue's (20 unless configured otherwise) */
  readonly waitSeconds?: number | undefined;
  /** Seconds the delivered messages stay hidden from other receivers. @default the queue's */
  readonly visibilitySeconds?: number | undefined;
  /** Aborts a long poll (runner shutdown). */
  readonly signal?: AbortSignal | undefined;
}

/** Approximate message counts of a route's queue and its cluster's dead-letter queue. */
export interface QueueDepth {
  /** Waiting to be received. */
  readonly visible: number;
  /** Received and neither acknowledged nor visible again yet. */
  readonly inFlight: number;
  /** Sent with a delay that has not passed. */
  readonly delayed: number;
  /** In the cluster's dead-letter queue (shared by all its routes). */
  readonly deadLettered: number;
}

/**
 * Task dispatch: one queue per route (cluster, task name, major version),
 * each cluster with one dead-letter queue. A runner polls only the routes of
 * the identifiers it registered, so it never receives a task of another name
 * or major version, and a task that no runner registered waits in its queue
 * (never in a DLQ) until one does.
 *
 * The job store's lease is the truth about a running task, never the
 * message's visibility. Queues deliver at least once and a claim is a
 * conditional write, so a consumer follows this protocol:
 *
 * 1. `receive` messages of a route it registered, then `claim` each
 *    (jobId, taskId, attempt) in the job store.
 * 2. Claimed: `ack` the message (batched, off the critical path), run the
 *    task, heartbeat the lease (not the message), then complete or fail;
 *    `send` what those return. A crash after the ack is recovered by the
 *    reconciler, which re-queues tasks whose lease expired.
 * 3. Refused as `stale`, `not-found`, `not-runnable` or `job-stopped`: `ack`
 *    (the message is obsolete; a later release sends a new one).
 * 4. Refused as `not-yet` (backoff longer than the queue's delay cap): `ack`
 *    and `send` the message again with its `notBefore`.
 * 5. The message's minor version is newer than the runner's: hand it on,
 *    `send` a copy (delayed, `handOffs` + 1) then `ack` the original, so that
 *    it never counts towards the DLQ.
 * 6. The claim itself failed (throttling): do nothing; the message becomes
 *    visible again after its visibility timeout.
 *
 * Keeping a long task's message hidden by repeated visibility extensions is
 * not part of the protocol: every extension counts as a receive on some
 * servers, so the message would be dead-lettered while its task runs.
 *
 * @example
 * ```ts
 * await queue.send(submitted.runnable);
 * const route = taskRouteOf('gpu', taskIdentifier('Resize', 'v1.0'));
 * for (const delivery of await queue.receive(route, { waitSeconds: 20 })) {
 *   const claim = await jobs.claim({ ...delivery.message, runnerId });
 *   await queue.ack(delivery.receipt);
 *   if (!claim.claimed && claim.reason === 'not-yet') {
 *     await queue.send([{ ...delivery.message, notBefore: claim.notBefore }]);
 *   }
 * }
 * ```
 */
export interface TaskQueue {
  /**
   * Sends messages to their routes' queues (created on first use), in
   * batches. Throws TaskSendError naming the messages still refused after
   * retries; every other message was sent.
   */
  send(messages: readonly TaskMessage[]): Promise<void>;
  /** Receives up to `max` messages of a route (long polling); creates its queue if missing. */
  receive(route: TaskRoute, options?: ReceiveOptions): Promise<ReceivedTask[]>;
  /** Deletes one delivered message. */
  ack(receipt: TaskReceipt): Promise<void>;
  /** Deletes delivered messages in batches. Throws TaskAckError naming the receipts refused. */
  ackAll(receipts: readonly TaskReceipt[]): Promise<void>;
  /** Makes a delivered message visible again after `delaySeconds` (0 for at once). */
  release(receipt: TaskReceipt, delaySeconds: number): Promise<void>;
  /** Makes delivered messages visible again after `delaySeconds`, in batches. */
  releaseAll(receipts: readonly TaskReceipt[], delaySeconds: number): Promise<void>;
  /** Approximate depth of a route's queue; zeros when it does not exist yet. */
  depth(route: TaskRoute): Promise<QueueDepth>;
}

/** A message or receipt the queue refused for good, with the queue's reason. */
export interface RefusedEntry<T> {
  readonly entry: T;
  readonly code: string;
  readonly message: string;
}

/**
 * Some task messages could not be sent after retries; all the others were.
 * The tasks stay QUEUED in the job store, so the reconciler sends them again
 * later; a caller may also retry `failed` itself.
 *
 * @example
 * ```ts
 * try { await queue.send(runnable); } catch (error) {
 *   if (error instanceof TaskSendError) log.warn(error.message, { failed: error.failed });
 * }
 * ```
 */
export class TaskSendError extends BucketflowError {
  readonly failed: readonly RefusedEntry<TaskMessage>[];

  constructor(failed: readonly RefusedEntry<TaskMessage>[]) {
    super(
      `task queue: ${failed.length} message(s) not sent after retries: ${summarize(
        failed.map(
          ({ entry, code }) => `${entry.jobId}/${entry.taskId}#${entry.attempt} (${code})`,
        ),
      )} (the tasks stay queued in the job store; the reconciler sends them again)`,
    );
    this.failed = failed;
  }
}

/**
 * Some deliveries could not be acknowledged after retries; they become
 * visible again and their claims are refused as stale, so they are
 * acknowledged then.
 */
export class TaskAckError extends BucketflowError {
  readonly failed: readonly RefusedEntry<TaskReceipt>[];

  constructor(failed: readonly RefusedEntry<TaskReceipt>[]) {
    super(
      `task queue: ${failed.length} message(s) not deleted: ${summarize(
        failed.map(({ entry, code }) => `${entry.queue} (${code})`),
      )} (they will be delivered again and acknowledged as stale)`,
    );
    this.failed = failed;
  }
}

/** A queue name, prefix or queue setting breaks an SQS rule. */
export class InvalidTaskQueueError extends ValidationError {}

/** A task queue could neither be found nor created. */
export class TaskQueueUnavailableError extends BucketflowError {}

/** The body of a queue message is not a task message (not written by bucketflow, or damaged). */
export class InvalidTaskMessageError extends ValidationError {}

function summarize(items: readonly string[], max = 5): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}
