import type { JobStore } from '../core/ports/job-store.js';
import type { ObjectStorage } from '../core/ports/object-storage.js';
import type { ReceivedTask, TaskQueue } from '../core/ports/task-queue.js';
import { RunnerBusyError } from './errors.js';
import type { TaskLogger } from './execution-context.js';
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
/** How often one released message may appear in the queue counts (see `#drained`). */
const INCOMPATIBLE_COUNT_SLACK = 2;

export interface TaskRunnerOptions {
  readonly jobs: JobStore;
  readonly queue: TaskQueue;
  readonly registry: TaskRegistry;
  /** Cluster slug whose queue this runner polls. */
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
  /** Seconds a message this runner cannot run stays hidden before another runner may take it. @default 5 */
  readonly releaseDelaySeconds?: number | undefined;
  /** Long-poll seconds of `runForever`. @default the queue's */
  readonly waitSeconds?: number | undefined;
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
 * Runs the tasks of one cluster: receives task messages, claims those a
 * registered class may run (the version rule), holds the lease with
 * heartbeats while `execute` runs, and completes or fails the attempt,
 * sending the tasks that become runnable. Messages it cannot run are
 * released for other runners of the cluster.
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
  readonly #cluster: string;
  readonly #queue: TaskQueue;
  readonly #concurrency: number;
  readonly #waitSeconds: number | undefined;
  readonly #deps: AttemptDependencies;
  readonly #running = new Set<Promise<void>>();
  /** Messages this runner released as incompatible that may still sit in the queue. */
  readonly #incompatible = new Set<string>();
  readonly #log: TaskLogger;
  #summary = emptySummary();
  #active = false;
  #stopped = false;

  constructor(options: TaskRunnerOptions) {
    this.#deps = runnerDependencies(options);
    this.#concurrency = positiveInteger('concurrency', options.concurrency ?? 1, 100);
    this.runnerId = this.#deps.runnerId;
    this.#cluster = options.cluster;
    this.#queue = options.queue;
    this.#waitSeconds = options.waitSeconds;
    this.#log = createTaskLogger(this.#deps.logSink, { runnerId: this.runnerId }, this.#deps.clock);
  }

  /** Deliveries being processed right now (claimed tasks and their completion). */
  get runningCount(): number {
    return this.#running.size;
  }

  /** Receives one batch (up to `concurrency` messages, without waiting) and processes it. */
  runOnce(): Promise<RunSummary> {
    return this.#exclusive('runOnce', async (summary) => {
      const deliveries = await this.#receive(this.#concurrency, 0);
      await Promise.all(deliveries.map((delivery) => this.#start(delivery)));
      return summary;
    });
  }

  /**
   * Runs until the cluster's queue is drained: no visible, in-flight or
   * delayed messages (other than ones this runner released because it cannot
   * run them) and no task running here. Retries waiting for their backoff
   * keep it going. Resolves with the outcomes of what it processed.
   */
  runAll(options: { signal?: AbortSignal } = {}): Promise<RunSummary> {
    return this.#exclusive('runAll', async (summary) => {
      try {
        while (!this.#stopped && !options.signal?.aborted) {
          const received = await this.#fill(0);
          if (received > 0) continue;
          if (this.#running.size > 0) {
            await Promise.race(this.#running);
            continue;
          }
          if (await this.#drained()) break;
          await sleep(IDLE_POLL_MS);
        }
      } finally {
        await Promise.all(this.#running);
      }
      return summary;
    });
  }

  /**
   * Polls until `stop()` or `signal`, then finishes the running tasks and
   * resolves. A long poll under way when it stops is not cut short (SQS would
   * still hand the next message to the abandoned request, hiding it for the
   * visibility timeout); what it brings is released at once. So stopping
   * takes up to `waitSeconds` when no task runs.
   */
  runForever(options: { signal?: AbortSignal } = {}): Promise<RunSummary> {
    return this.#exclusive('runForever', async (summary) => {
      const onAbort = () => this.#halt();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        while (!this.#stopped && !options.signal?.aborted) {
          if (this.#running.size >= this.#concurrency) {
            await Promise.race(this.#running);
            continue;
          }
          await this.#fill(this.#waitSeconds);
        }
      } finally {
        options.signal?.removeEventListener('abort', onAbort);
        await Promise.all(this.#running);
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
  }

  /** Receives into the free slots and starts the deliveries; returns how many new ones arrived. */
  async #fill(waitSeconds: number | undefined): Promise<number> {
    const free = this.#concurrency - this.#running.size;
    if (free <= 0) return 0;
    let deliveries: ReceivedTask[];
    try {
      deliveries = await this.#receive(free, waitSeconds);
    } catch (error) {
      // A failed poll (throttling, network) must not end the loop while tasks run.
      this.#log.warn('receiving task messages failed', {
        error: error instanceof Error ? error.message : String(error),
      });
      await sleep(IDLE_POLL_MS);
      return 0;
    }
    if (this.#stopped) {
      await this.#releaseAll(deliveries);
      return 0;
    }
    for (const delivery of deliveries) void this.#start(delivery);
    return deliveries.filter((delivery) => !this.#incompatible.has(delivery.messageId)).length;
  }

  #receive(max: number, waitSeconds: number | undefined): Promise<ReceivedTask[]> {
    return this.#queue.receive(this.#cluster, { max: Math.min(max, 10), waitSeconds });
  }

  /** Hands back messages a poll brought after `stop()`, visible again at once for other runners. */
  async #releaseAll(deliveries: readonly ReceivedTask[]): Promise<void> {
    if (deliveries.length === 0) return;
    await Promise.all(
      deliveries.map((delivery) =>
        this.#queue.release(delivery.receipt, 0).catch((error: unknown) => {
          // The message comes back after its visibility timeout instead.
          this.#log.warn('releasing a message received while stopping failed', {
            jobId: delivery.message.jobId,
            taskId: delivery.message.taskId,
            error: error instanceof Error ? error.message : String(error),
          });
        }),
      ),
    );
    this.#log.info('released messages received while stopping', { count: deliveries.length });
  }

  #start(delivery: ReceivedTask): Promise<void> {
    const running = processDelivery(this.#deps, delivery).then((outcome) => {
      this.#summary = { ...this.#summary, [outcome]: this.#summary[outcome] + 1 };
      if (outcome === 'incompatible') this.#incompatible.add(delivery.messageId);
      else this.#incompatible.delete(delivery.messageId);
      this.#running.delete(running);
    });
    this.#running.add(running);
    return running;
  }

  async #drained(): Promise<boolean> {
    const depth = await this.#queue.depth(this.#cluster);
    const pending = depth.visible + depth.inFlight + depth.delayed;
    // Messages this runner cannot run must not keep it going. The local SQS server counts an
    // in-flight message as visible too, so one such message may show up twice in `pending`.
    return pending <= this.#incompatible.size * INCOMPATIBLE_COUNT_SLACK;
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

function emptySummary(): Record<AttemptOutcome, number> {
  return {
    computed: 0,
    failed: 0,
    incompatible: 0,
    skipped: 0,
    'claim-error': 0,
    'lease-lost': 0,
    error: 0,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
