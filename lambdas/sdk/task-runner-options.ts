import type { JobStore } from '../core/ports/job-store.js';
import type { ObjectStorage } from '../core/ports/object-storage.js';
import type { RunnerRegistry } from '../core/ports/runner-registry.js';
import type { TaskQueue } from '../core/ports/task-queue.js';
import type { AttemptOutcome, AttemptReport } from './task-attempt.js';
import type { LogSink } from './task-logger.js';
import type { TaskRegistry } from './task-registry.js';
import type { TriggerEnvironment } from './triggers.js';

/** How a {@link TaskRunner} is built: its stores, its queue, the tasks it runs and its pace. */
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
  /**
   * Longest an acknowledgement waits for a batch of deletes to fill, in ms.
   * The delete is off the path of every task (the lease holds the task), so
   * waiting longer only makes batches fuller. @default 100
   */
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
