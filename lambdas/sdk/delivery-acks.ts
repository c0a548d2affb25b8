import type { ReceivedTask, TaskQueue, TaskReceipt } from '../core/ports/task-queue.js';
import type { DeliverySettlement } from './task-attempt.js';

/** Entries of one DeleteMessageBatch. */
const ACK_BATCH = 10;

/**
 * A process runner's settlement of deliveries: acknowledgements are
 * collected and deleted with one DeleteMessageBatch per 10 (or per
 * `delayMs`, whichever comes first), off the path from claim to execution.
 * A kept delivery is left alone: it becomes visible again after its
 * visibility timeout. A failed delete is reported, not retried: the message
 * comes back and its claim is refused as stale, so it is acknowledged then.
 *
 * @example
 * ```ts
 * const acks = new DeliveryAcks(queue, { delayMs: 20, onError: (error) => log.warn(String(error)) });
 * acks.ack(delivery);
 * await acks.drain();
 * ```
 */
export class DeliveryAcks implements DeliverySettlement {
  readonly #queue: TaskQueue;
  readonly #delayMs: number;
  readonly #onError: (error: unknown) => void;
  #pending: TaskReceipt[] = [];
  #timer: NodeJS.Timeout | undefined;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(
    queue: TaskQueue,
    options: { readonly delayMs: number; readonly onError: (error: unknown) => void },
  ) {
    this.#queue = queue;
    this.#delayMs = options.delayMs;
    this.#onError = options.onError;
  }

  ack(delivery: ReceivedTask): void {
    this.#pending.push(delivery.receipt);
    if (this.#pending.length >= ACK_BATCH) this.#flush();
    else this.#timer ??= setTimeout(() => this.#flush(), this.#delayMs);
  }

  keep(_delivery: ReceivedTask): void {}

  /** Deletes what is pending and waits for every delete under way. */
  async drain(): Promise<void> {
    this.#flush();
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    const done = this.#queue.ackAll(batch).catch(this.#onError);
    this.#inFlight.add(done);
    void done.finally(() => this.#inFlight.delete(done));
  }
}
