import { ValidationError } from '../core/errors.js';
import { taskRouteOf } from '../core/jobs/task-routing.js';
import type { JobStore } from '../core/ports/job-store.js';
import type { ObjectStorage } from '../core/ports/object-storage.js';
import type { RunnerRegistry } from '../core/ports/runner-registry.js';
import type { ReceivedTask, TaskQueue, TaskRoute } from '../core/ports/task-queue.js';
import { DeliveryAcks } from './delivery-acks.js';
import { RunnerBusyError } from './errors.js';
import type { TaskLogger } from './execution-context.js';
import { RunnerAnnouncer } from './runner-announcer.js';
import { positiveInteger, runnerDependencies } from './runner-dependencies.js';
import {
  type AttemptDependencies,
  type AttemptOutcome,
  type AttemptReport,
  processDelivery,
} from './task-attempt.js';
import { createTaskLogger, type LogSink } from './task-logger.js';
import type { TaskRegistry } from './task-registry.js';
import type { TriggerEnvironment } from './triggers.js';

/** Pause between polls of `runAll` that found nothing, while work is still pending elsewhere. */
const IDLE_POLL_MS = 100;
/** How often one handed-on message may appear in the queue counts (see `#drained`). */
const HANDED_ON_COUNT_SLACK = 2;
/** Acknowledgements wait at most this long for a batch to fill. */
const DEFAULT_ACK_DELAY_MS = 20;

export interface TaskRunnerOptions {
  readonly jobs: JobStore;
  readonly queue: TaskQueue;
  readonly registry: TaskRegistry;
  /** Cluster slug; the runner polls the queue of each registered task name and major version on it. */
  readonly cluster: string;
  /** Tasks run at once, 1 to 100. @default 1 */
  readonly concurrency?: number | undefined;
  /** Lease per claim and heartbeat, in ms. @default 60000 */
  readonly leaseMs?: number | undefined;
  /** Heartbeat period, below `leaseMs`. @default leaseMs / 3 */
  readonly heartbeatMs?: number | undefined;
  /** Names this runner in leases and logs. @default `runner-<uuid>` */
  readonly runnerId?: string | undefined;
  /** Where job caches live (`jobs/<jobId>/cache/`); without it `jobCache` throws. */
  readonly cacheStorage?: ObjectStorage | undefined;
  /** Storage clients for storage event triggers. */
  readonly triggerEnvironment?: TriggerEnvironment | undefined;
  /**
   * Delay of the copy this runner sends of a task that needs a newer minor
   * version than it registered; doubles with each hand-off, up to 15 minutes.
   * @default 5
   */
  readonly handOnDelaySeconds?: number | undefined;
  /** Long-poll seconds of `runForever`. @default the queue's */
  readonly waitSeconds?: number | undefined;
  /** Where `runForever` announces the runner, so that job views can tell why a task waits. */
  readonly announcements?: RunnerRegistry | undefined;
  /** Longest an acknowledgement waits for a batch of deletes to fill, in ms. @default 20 */
  readonly ackDelayMs?: number | undefined;
  /** Where log lines go. @default powertoolsLogSink(): Powertools JSON lines on stdout and stderr */
  readonly logSink?: LogSink | undefined;
  /** Epoch ms, for log times. @default Date.now */
  readonly clock?: (() => number) | undefined;
  /**
   * Told how each claimed attempt ended. The Lambda runner turns it into the
   * TaskDuration, TaskFailures and TaskRetries metrics; a process runner has no
   * metrics of its own, so pass one to export them where you run it.
   */
  readonly observeAttempt?: ((attempt: AttemptReport) => void) | undefined;
}

/** Outcomes of the deliveries a call processed. */
export type RunSummary = Readonly<Record<AttemptOutcome, number>>;

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
  readonly #queue: TaskQueue;
  readonly #routes: readonly TaskRoute[];
  readonly #concurrency: number;
  readonly #waitSeconds: number | undefined;
  readonly #deps: AttemptDependencies;
  readonly #acks: DeliveryAcks;
  readonly #announcer: RunnerAnnouncer | undefined;
  readonly #running = new Set<Promise<void>>();
  readonly #buffer: ReceivedTask[] = [];
  /** Messages this runner handed on that may still sit in the queues. */
  readonly #handedOn = new Set<string>();
  readonly #log: TaskLogger;
  #waiters: Array<() => void> = [];
  #summary = emptySummary();
  #active = false;
  #stopped = false;

  constructor(options: TaskRunnerOptions) {
    this.#deps = runnerDependencies(options);
    this.#concurrency = positiveInteger('concurrency', options.concurrency ?? 1, 100);
    this.runnerId = this.#deps.runnerId;
    this.#queue = options.queue;
    this.#waitSeconds = options.waitSeconds;
    const identifiers = options.registry.identifiers();
    if (identifiers.length === 0) {
      throw new ValidationError(
        'registry',
        'holds no task class',
        'register the task classes this runner runs, e.g. new TaskRegistry([Resize])',
      );
    }
    this.#routes = identifiers.map((identifier) => taskRouteOf(options.cluster, identifier));
    this.#log = createTaskLogger(this.#deps.logSink, { runnerId: this.runnerId }, this.#deps.clock);
    this.#acks = new DeliveryAcks(options.queue, {
      delayMs: options.ackDelayMs ?? DEFAULT_ACK_DELAY_MS,
      onError: (error) => this.#warn('deleting delivered messages failed', error),
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
    return this.#running.size;
  }

  /** The queues this runner polls: one per registered task name and major version. */
  get routes(): readonly TaskRoute[] {
    return this.#routes;
  }

  /** Receives once from each route (up to the free slots, without waiting) and processes it. */
  runOnce(): Promise<RunSummary> {
    return this.#exclusive('runOnce', async (summary) => {
      await this.#fillAll(0);
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
          const received = await this.#fillAll(0);
          if (received > 0) continue;
          if (this.#running.size > 0) {
            await Promise.race(this.#running);
            continue;
          }
          if (await this.#drained()) break;
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
        await Promise.all(this.#routes.map((route) => this.#poll(route)));
      } finally {
        options.signal?.removeEventListener('abort', onAbort);
        await this.#releaseAll(this.#buffer.splice(0));
        await this.#settled();
        await this.#announcer?.stop();
      }
      return summary;
    });
  }

  /** Stops polling and resolves once the running tasks have finished (see `runForever`). */
  async stop(): Promise<void> {
    this.#halt();
    while (this.#running.size > 0) await Promise.all(this.#running);
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
      return await run(this.#resetSummary());
    } finally {
      this.#active = false;
    }
  }

  #halt(): void {
    this.#stopped = true;
    this.#wake();
  }

  /** One route's long-poll loop: receive into the free slots, hand what arrives to the pump. */
  async #poll(route: TaskRoute): Promise<void> {
    while (!this.#stopped) {
      const free = this.#free();
      if (free <= 0) {
        await new Promise<void>((resolve) => this.#waiters.push(resolve));
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
      if (this.#stopped) await this.#releaseAll(deliveries);
      else this.#enqueue(deliveries);
    }
  }

  /** Receives once from every route into the free slots; returns how many new deliveries came. */
  async #fillAll(waitSeconds: number): Promise<number> {
    const free = this.#free();
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
    this.#enqueue(deliveries);
    return deliveries.length;
  }

  #free(): number {
    return this.#concurrency - this.#running.size - this.#buffer.length;
  }

  #enqueue(deliveries: readonly ReceivedTask[]): void {
    this.#buffer.push(...deliveries);
    this.#pump();
  }

  /** Starts buffered deliveries while slots are free. */
  #pump(): void {
    while (this.#running.size < this.#concurrency) {
      const delivery = this.#buffer.shift();
      if (!delivery) break;
      this.#start(delivery);
    }
  }

  #start(delivery: ReceivedTask): void {
    const key = deliveryKey(delivery);
    const running = processDelivery(this.#deps, delivery, this.#acks).then((outcome) => {
      this.#summary = { ...this.#summary, [outcome]: this.#summary[outcome] + 1 };
      if (outcome === 'handed-on') this.#handedOn.add(key);
      else this.#handedOn.delete(key);
      this.#running.delete(running);
      this.#pump();
      this.#wake();
    });
    this.#running.add(running);
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /** Waits for the running tasks, then sends the pending deletes. */
  async #settled(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running);
    await this.#acks.drain();
  }

  /** Hands back messages received while stopping, visible again at once for other runners. */
  async #releaseAll(deliveries: readonly ReceivedTask[]): Promise<void> {
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

  async #drained(): Promise<boolean> {
    if (this.#buffer.length > 0) return false;
    const depths = await Promise.all(this.#routes.map((route) => this.#queue.depth(route)));
    const pending = depths.reduce(
      (sum, depth) => sum + depth.visible + depth.inFlight + depth.delayed,
      0,
    );
    // Copies of messages this runner cannot run must not keep it going. The local SQS server
    // counts an in-flight message as visible too, so one may show up twice in `pending`.
    return pending <= this.#handedOn.size * HANDED_ON_COUNT_SLACK;
  }

  #warn(message: string, error: unknown): void {
    this.#log.warn(message, { error: error instanceof Error ? error.message : String(error) });
  }

  #resetSummary(): RunSummary {
    this.#summary = emptySummary();
    // A getter view, so the caller's summary reflects outcomes recorded after it was returned.
    const view = {} as Record<AttemptOutcome, number>;
    for (const key of Object.keys(this.#summary) as AttemptOutcome[]) {
      Object.defineProperty(view, key, { enumerable: true, get: () => this.#summary[key] });
    }
    return view;
  }
}

function deliveryKey(delivery: ReceivedTask): string {
  const { jobId, taskId, attempt } = delivery.message;
  return `${jobId}/${taskId}/${attempt}`;
}

function emptySummary(): Record<AttemptOutcome, number> {
  return {
    computed: 0,
    failed: 0,
    'handed-on': 0,
    skipped: 0,
    'claim-error': 0,
    'lease-lost': 0,
    error: 0,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
