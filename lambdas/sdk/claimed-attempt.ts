import { storedErrorText } from '../core/error-text.js';
import type { Lease, LeaseRef, StoredTask } from '../core/ports/job-store.js';
import { LeaseLostError } from '../core/ports/job-store.js';
import type { TaskMessage } from '../core/ports/task-queue.js';
import type { AttemptTrace } from './attempt-tracing.js';
import type { JobContext } from './job-trigger-cache.js';
import { ObjectStorageJobCache, UnavailableJobCache } from './object-storage-job-cache.js';
import type { AttemptDependencies, AttemptOutcome } from './task-attempt.js';
import { TaskExecutionContext } from './task-execution-context.js';
import type { BoundLogger } from './task-logger.js';

// A claimed attempt: run `execute` with heartbeats, then complete or fail it in the store.

/** How a claimed attempt ended, with the fields of its "task finished" log line. */
export interface AttemptEnd {
  readonly outcome: Extract<AttemptOutcome, 'computed' | 'failed' | 'lease-lost'>;
  /** The task's state afterwards (QUEUED for a retry), the error, or why the result was dropped. */
  readonly fields: Readonly<Record<string, unknown>>;
  /** Whether a failed attempt was queued again. */
  readonly retried: boolean;
}

/** What an attempt knows once its task is claimed. */
export interface ClaimedAttempt {
  /** The job's context, or why it could not be read. */
  readonly job: { readonly context: JobContext } | { readonly error: unknown };
  /** The logger `execute` gets: the job's correlation keys. */
  readonly taskLog: BoundLogger;
  /** The runner's lines about the attempt: the correlation keys, runnerId and identifier. */
  readonly attemptLog: BoundLogger;
}

export async function runClaimed(
  deps: AttemptDependencies,
  task: StoredTask,
  lease: Lease,
  claimed: ClaimedAttempt,
  attempt: AttemptTrace,
): Promise<AttemptEnd> {
  const log = claimed.attemptLog;
  const ref: LeaseRef = {
    jobId: lease.jobId,
    taskId: lease.taskId,
    attempt: lease.attempt,
    runnerId: lease.runnerId,
  };
  const abort = new AbortController();
  const heartbeat = startHeartbeat(deps, ref, abort, log);
  let error: unknown;
  let context: TaskExecutionContext | undefined;
  try {
    const instance = deps.registry.fromSpec(task, deps.triggerEnvironment);
    context = new TaskExecutionContext({
      task,
      jobCache: deps.cacheStorage
        ? new ObjectStorageJobCache(deps.cacheStorage, task.jobId)
        : new UnavailableJobCache(),
      logger: claimed.taskLog,
      trigger: jobContext(claimed.job).trigger,
      signal: abort.signal,
    });
    const running = context;
    await attempt.phase('execute', async () => {
      await instance.execute(running);
    });
  } catch (thrown) {
    error = thrown ?? new Error('the task threw undefined');
  } finally {
    await heartbeat.stop();
  }
  if (abort.signal.aborted) {
    return {
      outcome: 'lease-lost',
      fields: { reason: 'lease lost while running; result dropped' },
      retried: false,
    };
  }
  try {
    if (error === undefined && context) {
      try {
        const done = context;
        const completed = await attempt.phase('complete', () =>
          deps.jobs.complete({
            ...ref,
            subtasks: done.subtasks,
            display: done.currentTask.display,
            traceparent: attempt.traceparent,
          }),
        );
        await send(deps, completed.runnable, log);
        return {
          outcome: 'computed',
          fields: { state: 'COMPUTED', subtasks: context.subtasks.length },
          retried: false,
        };
      } catch (completeError) {
        if (completeError instanceof LeaseLostError) throw completeError;
        // Subtasks the store refuses (too large, say) fail the attempt like a throw in execute.
        error = completeError;
      }
    }
    const failed = await attempt.phase('fail', () =>
      deps.jobs.fail({ ...ref, error: storedErrorText(error) }),
    );
    if (failed.retry) await send(deps, [failed.retry], log);
    return {
      outcome: 'failed',
      fields: { state: failed.state, ...errorFields(error) },
      retried: failed.retry !== undefined,
    };
  } catch (endError) {
    if (endError instanceof LeaseLostError) {
      return {
        outcome: 'lease-lost',
        fields: { reason: 'lease lost before the result was recorded; result dropped' },
        retried: false,
      };
    }
    throw endError;
  }
}

/** Extends the lease every `heartbeatMs`; aborts `abort` when the store says the lease is gone. */
function startHeartbeat(
  deps: AttemptDependencies,
  ref: LeaseRef,
  abort: AbortController,
  log: BoundLogger,
): { stop: () => Promise<void> } {
  let pending: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    pending = pending.then(async () => {
      if (abort.signal.aborted) return;
      try {
        await deps.jobs.heartbeat(ref, deps.leaseMs);
      } catch (error) {
        if (error instanceof LeaseLostError) abort.abort(error);
        // A throttled heartbeat is retried at the next tick, well before the lease ends.
        else log.warn('heartbeat failed', errorFields(error));
      }
    });
  }, deps.heartbeatMs);
  return {
    stop: async () => {
      clearInterval(timer);
      await pending;
    },
  };
}

export async function send(
  deps: AttemptDependencies,
  messages: readonly TaskMessage[],
  log: BoundLogger,
): Promise<void> {
  if (messages.length === 0) return;
  try {
    await deps.queue.send(messages);
  } catch (error) {
    // The tasks stay QUEUED in the store; the reconciler sends them again.
    log.warn('sending runnable tasks failed', errorFields(error));
  }
}

/** The job's context, or the error reading it, thrown where the attempt fails. */
function jobContext(job: ClaimedAttempt['job']): JobContext {
  if ('error' in job) throw job.error;
  return job.context;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

export function errorFields(error: unknown): Record<string, unknown> {
  return { error: describeError(error) };
}
