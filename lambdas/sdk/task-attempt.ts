import type { TaskIdentifier } from '../core/jobs/task-identifier.js';
import { formatTaskIdentifier } from '../core/jobs/task-identifier.js';
import type { JobStore } from '../core/ports/job-store.js';
import type { ObjectStorage } from '../core/ports/object-storage.js';
import type { ReceivedTask, TaskQueue } from '../core/ports/task-queue.js';
import { traceIdOf } from '../core/ports/tracing.js';
import { type AttemptTrace, traceAttempt } from './attempt-tracing.js';
import { type AttemptEnd, errorFields, runClaimed, send } from './claimed-attempt.js';
import type { JobTriggerCache } from './job-trigger-cache.js';
import { identifierOf } from './task.js';
import { type BoundLogger, createTaskLogger, type LogSink } from './task-logger.js';
import type { TaskRegistry } from './task-registry.js';
import type { TriggerEnvironment } from './triggers.js';

/** What a runner shares with each attempt it processes. */
export interface AttemptDependencies {
  readonly jobs: JobStore;
  readonly queue: TaskQueue;
  readonly registry: TaskRegistry;
  readonly runnerId: string;
  readonly leaseMs: number;
  readonly heartbeatMs: number;
  /** First delay of a copy handed on to a runner with a newer minor version; doubles per hand-off. */
  readonly handOnDelaySeconds: number;
  readonly cacheStorage?: ObjectStorage | undefined;
  readonly triggerEnvironment?: TriggerEnvironment | undefined;
  readonly logSink: LogSink;
  readonly clock: () => number;
  /** The jobs' triggers and log keys (read once per job, or taken from the claim). */
  readonly triggers: JobTriggerCache;
  /** Told how each claimed attempt ended (metrics). */
  readonly observeAttempt?: ((attempt: AttemptReport) => void) | undefined;
}

/** How a claimed attempt ended, for metrics. */
export interface AttemptReport {
  readonly outcome: AttemptEnd['outcome'];
  /** From the claim to the end of the attempt. */
  readonly durationMs: number;
  /** A failed attempt that was queued again (false: the task is FAILED, or it did not fail). */
  readonly retried: boolean;
}

/**
 * What becomes of a delivered message, by its consumer: a process runner
 * deletes it in batches, a Lambda runner leaves deleting to Lambda.
 */
export interface DeliverySettlement {
  /** The message is done with (claimed, handed on, or obsolete). */
  ack(delivery: ReceivedTask): void;
  /** The claim could not be made (throttling): the message must come back later. */
  keep(delivery: ReceivedTask): void;
}

/** How the processing of one delivery ended. */
export type AttemptOutcome =
  | 'computed'
  | 'failed'
  /** Handed on: the task needs a newer minor version than this runner registered. */
  | 'handed-on'
  /** Acknowledged without running: stale, not found, job stopped, or backoff re-sent. */
  | 'skipped'
  /** The claim call itself failed; the message comes back after its visibility timeout. */
  | 'claim-error'
  /** The lease was lost while running; the result was dropped. */
  | 'lease-lost'
  /** A queue or store call failed unexpectedly (logged); the reconciler recovers the task. */
  | 'error';

/** Longest delay SQS gives a message: a hand-on copy waits at most this long. */
const MAX_HAND_ON_DELAY_SECONDS = 900;

/**
 * Processes one delivered task message by the task queue protocol: hand on
 * a message whose minor version this runner cannot run, claim, ack, run with
 * heartbeats, complete or fail, and send what the store returns. A runner
 * receives only the routes it registered, so name and major version match.
 * Never throws; problems are logged.
 *
 * @example
 * ```ts
 * const outcome = await processDelivery(dependencies, delivery, settlement); // 'computed'
 * ```
 */
export async function processDelivery(
  deps: AttemptDependencies,
  delivery: ReceivedTask,
  settle: DeliverySettlement,
): Promise<AttemptOutcome> {
  const { message } = delivery;
  const log = createTaskLogger(
    deps.logSink,
    { runnerId: deps.runnerId, jobId: message.jobId, taskId: message.taskId },
    deps.clock,
  );
  try {
    const cls = deps.registry.resolve(message.identifier);
    if (!cls) return await handOn(deps, delivery, settle);
    return await traceAttempt(message, deps.runnerId, async (attempt) => {
      const outcome = await claimAndRun(deps, delivery, settle, identifierOf(cls), attempt, log);
      attempt.set({ 'bucketflow.task.outcome': outcome });
      return outcome;
    });
  } catch (error) {
    log.error('processing a task message failed', errorFields(error));
    return 'error';
  }
}

/** Claims the message's attempt and, once it holds the lease, runs it to its end. */
async function claimAndRun(
  deps: AttemptDependencies,
  delivery: ReceivedTask,
  settle: DeliverySettlement,
  compatibleWith: TaskIdentifier,
  attempt: AttemptTrace,
  log: BoundLogger,
): Promise<AttemptOutcome> {
  const { message } = delivery;
  let claim: Awaited<ReturnType<JobStore['claim']>>;
  try {
    claim = await attempt.phase('claim', () =>
      deps.jobs.claim({
        jobId: message.jobId,
        taskId: message.taskId,
        attempt: message.attempt,
        runnerId: deps.runnerId,
        compatibleWith,
        leaseMs: deps.leaseMs,
      }),
    );
  } catch (error) {
    log.warn(
      'claim failed; the message comes back after its visibility timeout',
      errorFields(error),
    );
    settle.keep(delivery);
    return 'claim-error';
  }
  if (!claim.claimed) {
    if (claim.reason === 'incompatible') return await handOn(deps, delivery, settle);
    if (claim.reason === 'not-yet') {
      await send(deps, [{ ...message, notBefore: claim.notBefore }], log);
    }
    settle.ack(delivery);
    return 'skipped';
  }
  // The lease holds the task now; the delete goes out in a batch, off this path.
  settle.ack(delivery);
  if (claim.job) deps.triggers.remember(claim.lease.jobId, claim.job);
  const task = claim.task;
  const startedAt = deps.clock();
  // Read before the first line, so that every line of the attempt carries the trigger's keys;
  // a failed read fails the attempt inside runClaimed, as a throw in execute does.
  const job = await deps.triggers.get(task.jobId).then(
    (context) => ({ context }),
    (error: unknown) => ({ error: error ?? new Error('reading the job failed') }),
  );
  // The task's own lines carry the job's correlation keys and the attempt's trace id (which
  // finds the attempt in X-Ray or any trace store); the runner's lines add who ran it.
  const traceId = traceIdOf(attempt.traceparent);
  const taskLog = createTaskLogger(
    deps.logSink,
    {
      jobId: task.jobId,
      taskId: task.taskId,
      attempt: claim.lease.attempt,
      ...('context' in job ? job.context.logKeys : {}),
      ...(traceId === undefined ? {} : { traceId }),
    },
    deps.clock,
  );
  const attemptLog = taskLog.child({
    runnerId: deps.runnerId,
    identifier: formatTaskIdentifier(task.identifier),
  });
  attemptLog.info('task started');
  const ended = await runClaimed(deps, task, claim.lease, { job, taskLog, attemptLog }, attempt);
  const durationMs = deps.clock() - startedAt;
  const fields = { outcome: ended.outcome, durationMs, ...ended.fields };
  deps.observeAttempt?.({ outcome: ended.outcome, durationMs, retried: ended.retried });
  if (ended.outcome === 'computed') attemptLog.info('task finished', fields);
  else attemptLog.warn('task finished', fields);
  return ended.outcome;
}

/**
 * Sends a delayed copy of the message (one more hand-off, so the delay
 * doubles, up to 15 minutes) and acknowledges the original: a runner with a
 * newer minor version of the task takes it, and no delivery counts towards
 * the DLQ. When the copy cannot be sent the original is kept, to come back
 * after its visibility timeout.
 */
async function handOn(
  deps: AttemptDependencies,
  delivery: ReceivedTask,
  settle: DeliverySettlement,
): Promise<AttemptOutcome> {
  const handOffs = (delivery.message.handOffs ?? 0) + 1;
  const delaySeconds = Math.min(
    MAX_HAND_ON_DELAY_SECONDS,
    deps.handOnDelaySeconds * 2 ** (handOffs - 1),
  );
  try {
    await deps.queue.send([
      { ...delivery.message, handOffs, notBefore: deps.clock() + delaySeconds * 1000 },
    ]);
  } catch {
    settle.keep(delivery);
    return 'handed-on';
  }
  settle.ack(delivery);
  return 'handed-on';
}
