/**
 * A message on a cluster's task queue. It only names the task and the
 * attempt it may start; the task's truth (state, input, lease, backoff) is in
 * the job store. A job store `TaskDispatch` is a valid `TaskMessage`.
 */
export interface TaskMessage {
  readonly jobId: string;
  readonly taskId: string;
  /** The attempt a claim with this message would start (1 for the first). */
  readonly attempt: number;
  /** Cluster slug: which queue the message goes to. */
  readonly cluster: string;
  /**
   * Epoch ms before which a claim is refused (retry backoff); 0 or absent for
   * at once. The message is delayed towards it, but a queue may cap the
   * delay (SQS: 15 minutes), so a message can arrive early: the claim, not the
   * queue, enforces `notBefore`.
   */
  readonly notBefore?: number | undefined;
}

/** Names one delivery of a message, to acknowledge or release it. Opaque outside the adapter. */
export interface TaskReceipt {
  readonly cluster: string;
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

/** Approximate message counts of a cluster's queue and its dead-letter queue. */
export interface QueueDepth {
  /** Waiting to be received. */
  readonly visible: number;
  /** Received and neither acknowledged nor visible again yet. */
  readonly inFlight: number;
  /** Sent with a delay that has not passed. */
  readonly delayed: number;
  /** In the dead-letter queue. */
  readonly deadLettered: number;
}

/**
 * Task dispatch: one queue per cluster, each with a dead-letter queue.
 *
 * The job store's lease is the truth about a running task, never the
 * message's visibility. Queues deliver at least once and a claim is a
 * conditional write, so a consumer follows this protocol:
 *
 * 1. `receive` a message, then `claim` its (jobId, taskId, attempt) in the job store.
 * 2. Claimed: `ack` the message at once, run the task, heartbeat the lease
 *    (not the message), then complete or fail; `send` what those return.
 *    A crash after the ack is recovered by the reconciler, which re-queues
 *    tasks whose lease expired and sends them again.
 * 3. Refused as `stale`, `not-found`, `not-runnable` or `job-stopped`: `ack`
 *    (the message is obsolete; a later release sends a new one).
 * 4. Refused as `not-yet` (backoff longer than the queue's delay cap): `ack`
 *    and `send` the message again with its `notBefore`.
 * 5. Refused as `incompatible`: `release` it so another runner of the
 *    cluster can take it. Each delivery counts towards the queue's
 *    `maxReceiveCount`; a task nobody can run ends in the dead-letter queue
 *    and the reconciler sends it again later (it is still QUEUED and unclaimed).
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
 * for (const delivery of await queue.receive('gpu', { waitSeconds: 20 })) {
 *   const claim = await jobs.claim({ ...delivery.message, runnerId });
 *   if (!claim.claimed && claim.reason === 'incompatible') {
 *     await queue.release(delivery.receipt, 5);
 *     continue;
 *   }
 *   await queue.ack(delivery.receipt);
 *   if (!claim.claimed && claim.reason === 'not-yet') {
 *     await queue.send([{ ...delivery.message, notBefore: claim.notBefore }]);
 *   }
 * }
 * ```
 */
export interface TaskQueue {
  /**
   * Sends messages to their clusters' queues (created on first use), in
   * batches. Throws TaskSendError naming the messages still refused after
   * retries; every other message was sent.
   */
  send(messages: readonly TaskMessage[]): Promise<void>;
  /** Receives up to `max` messages of a cluster (long polling); creates the queue if missing. */
  receive(cluster: string, options?: ReceiveOptions): Promise<ReceivedTask[]>;
  /** Deletes one delivered message. */
  ack(receipt: TaskReceipt): Promise<void>;
  /** Deletes delivered messages in batches. Throws TaskAckError naming the receipts refused. */
  ackAll(receipts: readonly TaskReceipt[]): Promise<void>;
  /** Makes a delivered message visible again after `delaySeconds` (0 for at once). */
  release(receipt: TaskReceipt, delaySeconds: number): Promise<void>;
  /** Approximate depth of a cluster's queue; zeros when it does not exist yet. */
  depth(cluster: string): Promise<QueueDepth>;
}
