import { ValidationError } from '../core/errors.js';
import { taskRouteOf } from '../core/jobs/task-routing.js';
import type { TaskRoute } from '../core/ports/task-queue.js';
import { DeliveryAcks } from './delivery-acks.js';
import { RunnerBusyError } from './errors.js';
import type { TaskLogger } from './execution-context.js';
import { RunnerAnnouncer } from './runner-announcer.js';
import { positiveInteger, runnerDependencies } from './runner-dependencies.js';
import { IDLE_POLL_MS, RunnerPolling, sleep } from './runner-polling.js';
import { RunnerSlots } from './runner-slots.js';
import { processDelivery } from './task-attempt.js';
import { createTaskLogger } from './task-logger.js';
import type { RunSummary, TaskRunnerOptions } from './task-runner-options.js';

export type { RunSummary, TaskRunnerOptions } from './task-runner-options.js';

/**
 * Acknowledgements wait at most this long for a batch to fill: at 50 tasks/s
 * that makes batches of about 5 instead of 1 or 2, and nothing waits on them.
 */
const DEFAULT_ACK_DELAY_MS = 100;

/**
 * Runs the tasks it registered on one cluster: polls the queue of each
 * registered task name and major version (so it never receives a task of
 * another), claims each message (the minor-version rule; a task needing a
 * newer minor is handed on), holds the lease with heartbeats while
 * `execute` runs, and completes or fails the attempt, sending the tasks
 * that become runnable. Receives are batched to the free slots and deletes
 * go out in batches of up to 10.
 *
 * @example
 * ```ts
 * const runner = new TaskRunner({ jobs, queue, registry: new TaskRegistry([Resize]), cluster: 'gpu' });
 * process.once('SIGTERM', () => void runner.stop());
 * await runner.runForever();
 * ```
 */
export class TaskRunner {
  readonly runnerId: string;
  readonly #routes: readonly TaskRoute[];
  readonly #acks: DeliveryAcks;
  readonly #slots: RunnerSlots;
  readonly #polling: RunnerPolling;
  readonly #announcer: RunnerAnnouncer | undefined;
  readonly #log: TaskLogger;
  #active = false;
  #stopped = false;

  constructor(options: TaskRunnerOptions) {
    const deps = runnerDependencies(options);
    const concurrency = positiveInteger('concurrency', options.concurrency ?? 1, 100);
    this.runnerId = deps.runnerId;
    const identifiers = options.registry.identifiers();
    if (identifiers.length === 0) {
      throw new ValidationError(
        'registry',
        'holds no task class',
        'register the task classes this runner runs, e.g. new TaskRegistry([Resize])',
      );
    }
    this.#routes = identifiers.map((identifier) => taskRouteOf(options.cluster, identifier));
    this.#log = createTaskLogger(deps.logSink, { runnerId: this.runnerId }, deps.clock);
    const acks = new DeliveryAcks(options.queue, {
      delayMs: options.ackDelayMs ?? DEFAULT_ACK_DELAY_MS,
      onError: (error) => this.#warn('deleting delivered messages failed', error),
    });
    this.#acks = acks;
    this.#slots = new RunnerSlots(concurrency, (delivery) => processDelivery(deps, delivery, acks));
    this.#polling = new RunnerPolling({
      queue: options.queue,
      routes: this.#routes,
      slots: this.#slots,
      waitSeconds: options.waitSeconds,
      log: this.#log,
      stopped: () => this.#stopped,
    });
    this.#announcer = options.announcements
      ? new RunnerAnnouncer(
          options.announcements,
          { runnerId: this.runnerId, cluster: options.cluster, identifiers, kind: 'process' },
          (error) => this.#warn('announcing the runner failed', error),
        )
      : undefined;
  }

  /** Deliveries being processed right now (claimed tasks and their completion). */
  get runningCount(): number {
    return this.#slots.runningCount;
  }

  /** The queues this runner polls: one per registered task name and major version. */
  get routes(): readonly TaskRoute[] {
    return this.#routes;
  }

  /** Receives once from each route (up to the free slots, without waiting) and processes it. */
  runOnce(): Promise<RunSummary> {
    return this.#exclusive('runOnce', async (summary) => {
      await this.#polling.fillAll(0);
      await this.#settled();
      return summary;
    });
  }

  /**
   * Runs until the runner's queues are drained: no visible, in-flight or
   * delayed messages (other than copies this runner handed on because it
   * cannot run them) and no task running here. Retries waiting for their
   * backoff keep it going. Resolves with the outcomes of what it processed.
   */
  runAll(options: { signal?: AbortSignal } = {}): Promise<RunSummary> {
    return this.#exclusive('runAll', async (summary) => {
      try {
        while (!this.#stopped && !options.signal?.aborted) {
          const received = await this.#polling.fillAll(0);
          if (received > 0) continue;
          if (this.#slots.runningCount > 0) {
            await this.#slots.anyEnded();
            continue;
          }
          // Deletes still waiting for their batch would count as messages in flight.
          await this.#acks.drain();
          if (await this.#polling.drained()) break;
          await sleep(IDLE_POLL_MS);
        }
      } finally {
        await this.#settled();
      }
      return summary;
    });
  }

  /**
   * Polls every route until `stop()` or `signal`, then finishes the running
   * tasks and resolves. A long poll under way when it stops is not cut short
   * (SQS would still hand the next message to the abandoned request, hiding
   * it for the visibility timeout); what it brings is released at once. So
   * stopping takes up to `waitSeconds` when no task runs. While it runs, the
   * runner is announced (see `announcements`).
   */
  runForever(options: { signal?: AbortSignal } = {}): Promise<RunSummary> {
    return this.#exclusive('runForever', async (summary) => {
      const onAbort = () => this.#halt();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      await this.#announcer?.start();
      try {
        await Promise.all(this.#routes.map((route) => this.#polling.poll(route)));
      } finally {
        options.signal?.removeEventListener('abort', onAbort);
        await this.#polling.releaseAll(this.#slots.takeBuffered());
        await this.#settled();
        await this.#announcer?.stop();
      }
      return summary;
    });
  }

  /** Stops polling and resolves once the running tasks have finished (see `runForever`). */
  async stop(): Promise<void> {
    this.#halt();
    await this.#slots.settled();
  }

  /** One loop at a time: two would share the concurrency slots and the summary. */
  async #exclusive(
    name: string,
    run: (summary: RunSummary) => Promise<RunSummary>,
  ): Promise<RunSummary> {
    if (this.#active) {
      throw new RunnerBusyError(
        `runner ${this.runnerId}: ${name}() called while another run is active (await it, or call stop() first)`,
      );
    }
    this.#active = true;
    this.#stopped = false;
    try {
      return await run(this.#slots.resetSummary());
    } finally {
      this.#active = false;
    }
  }

  #halt(): void {
    this.#stopped = true;
    this.#slots.wake();
  }

  /** Waits for the running tasks, then sends the pending deletes. */
  async #settled(): Promise<void> {
    await this.#slots.settled();
    await this.#acks.drain();
  }

  #warn(message: string, error: unknown): void {
    this.#log.warn(message, { error: error instanceof Error ? error.message : String(error) });
  }
}
