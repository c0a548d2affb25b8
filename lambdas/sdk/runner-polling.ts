import type { ReceivedTask, TaskQueue, TaskRoute } from '../core/ports/task-queue.js';
import type { TaskLogger } from './execution-context.js';
import type { RunnerSlots } from './runner-slots.js';

/** Pause after a failed receive, and between polls of `runAll` that found nothing. */
export const IDLE_POLL_MS = 100;
/** How often one handed-on message may appear in the queue counts (see `drained`). */
const HANDED_ON_COUNT_SLACK = 2;

export interface RunnerPollingOptions {
  readonly queue: TaskQueue;
  readonly routes: readonly TaskRoute[];
  readonly slots: RunnerSlots;
  /** Long-poll seconds of `poll`. Undefined: the queue's. */
  readonly waitSeconds: number | undefined;
  readonly log: TaskLogger;
  /** Whether the runner was told to stop; checked before every receive. */
  readonly stopped: () => boolean;
}

/**
 * How a runner receives: from each of its routes into its free slots, either
 * in one long-poll loop per route (`runForever`) or once from every route
 * (`runOnce`, `runAll`), and how it tells that its queues are drained.
 * Messages that arrive after the runner was told to stop are handed back.
 *
 * @example
 * ```ts
 * const polling = new RunnerPolling({ queue, routes, slots, waitSeconds: 20, log, stopped: () => halted });
 * await Promise.all(routes.map((route) => polling.poll(route)));
 * ```
 */
export class RunnerPolling {
  readonly #queue: TaskQueue;
  readonly #routes: readonly TaskRoute[];
  readonly #slots: RunnerSlots;
  readonly #waitSeconds: number | undefined;
  readonly #log: TaskLogger;
  readonly #stopped: () => boolean;

  constructor(options: RunnerPollingOptions) {
    this.#queue = options.queue;
    this.#routes = options.routes;
    this.#slots = options.slots;
    this.#waitSeconds = options.waitSeconds;
    this.#log = options.log;
    this.#stopped = options.stopped;
  }

  /** One route's long-poll loop: receive into the free slots until stopped. */
  async poll(route: TaskRoute): Promise<void> {
    while (!this.#stopped()) {
      const free = this.#slots.free();
      if (free <= 0) {
        await this.#slots.changed();
        continue;
      }
      let deliveries: ReceivedTask[];
      try {
        deliveries = await this.#queue.receive(route, {
          max: Math.min(free, 10),
          waitSeconds: this.#waitSeconds,
        });
      } catch (error) {
        // A failed poll (throttling, network) must not end the loop while tasks run.
        this.#warn('receiving task messages failed', error);
        await sleep(IDLE_POLL_MS);
        continue;
      }
      if (this.#stopped()) await this.releaseAll(deliveries);
      else this.#slots.enqueue(deliveries);
    }
  }

  /** Receives once from every route into the free slots; returns how many new deliveries came. */
  async fillAll(waitSeconds: number): Promise<number> {
    const free = this.#slots.free();
    if (free <= 0) return 0;
    const results = await Promise.all(
      this.#routes.map((route) =>
        this.#queue.receive(route, { max: Math.min(free, 10), waitSeconds }).catch((error) => {
          this.#warn('receiving task messages failed', error);
          return [] as ReceivedTask[];
        }),
      ),
    );
    const deliveries = results.flat();
    this.#slots.enqueue(deliveries);
    return deliveries.length;
  }

  /** Hands back messages received while stopping, visible again at once for other runners. */
  async releaseAll(deliveries: readonly ReceivedTask[]): Promise<void> {
    if (deliveries.length === 0) return;
    try {
      await this.#queue.releaseAll(
        deliveries.map((delivery) => delivery.receipt),
        0,
      );
      this.#log.info('released messages received while stopping', { count: deliveries.length });
    } catch (error) {
      // They come back after their visibility timeout instead.
      this.#warn('releasing messages received while stopping failed', error);
    }
  }

  /**
   * Whether the runner's queues hold nothing it could run: no visible,
   * in-flight or delayed messages other than copies it handed on.
   */
  async drained(): Promise<boolean> {
    if (this.#slots.bufferedCount > 0) return false;
    const depths = await Promise.all(this.#routes.map((route) => this.#queue.depth(route)));
    const pending = depths.reduce(
      (sum, depth) => sum + depth.visible + depth.inFlight + depth.delayed,
      0,
    );
    // Copies of messages this runner cannot run must not keep it going. The local SQS server
    // counts an in-flight message as visible too, so one may show up twice in `pending`.
    return pending <= this.#slots.handedOnCount * HANDED_ON_COUNT_SLACK;
  }

  #warn(message: string, error: unknown): void {
    this.#log.warn(message, { error: error instanceof Error ? error.message : String(error) });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
