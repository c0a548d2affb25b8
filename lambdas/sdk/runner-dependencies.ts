import { randomUUID } from 'node:crypto';
import { ValidationError } from '../core/errors.js';
import { JobTriggerCache } from './job-trigger-cache.js';
import { powertoolsLogSink } from './powertools-log-sink.js';
import type { AttemptDependencies } from './task-attempt.js';
import type { TaskRunnerOptions } from './task-runner.js';

/** Lease a runner asks for when none is configured. */
export const DEFAULT_RUNNER_LEASE_MS = 60_000;

/**
 * What every attempt of a runner shares, from the runner's options: the one
 * place where a process runner ({@link TaskRunner}) and a Lambda runner
 * (`createTaskRunnerHandler`) get their stores, queue, registry, lease and
 * heartbeat, job caches and the trigger cache whose triggers read their
 * storage. Build the options with `Client.runnerOptions` to have them wired
 * to a deployment.
 *
 * @throws ValidationError for a lease or heartbeat that is not a positive integer, or a heartbeat not below the lease.
 * @example
 * ```ts
 * const deps = runnerDependencies(client.runnerOptions({ cluster: 'default', tasks: [Resize] }));
 * ```
 */
export function runnerDependencies(options: TaskRunnerOptions): AttemptDependencies {
  const leaseMs = positiveInteger('leaseMs', options.leaseMs ?? DEFAULT_RUNNER_LEASE_MS);
  const heartbeatMs = positiveInteger(
    'heartbeatMs',
    options.heartbeatMs ?? Math.floor(leaseMs / 3),
  );
  if (heartbeatMs >= leaseMs) {
    throw new ValidationError(
      'heartbeatMs',
      `must be below leaseMs (${leaseMs}), got ${heartbeatMs}`,
      'use about a third of leaseMs',
    );
  }
  return {
    jobs: options.jobs,
    queue: options.queue,
    registry: options.registry,
    runnerId: options.runnerId ?? `runner-${randomUUID()}`,
    leaseMs,
    heartbeatMs,
    handOnDelaySeconds: options.handOnDelaySeconds ?? 5,
    cacheStorage: options.cacheStorage,
    triggerEnvironment: options.triggerEnvironment,
    logSink: options.logSink ?? powertoolsLogSink(),
    clock: options.clock ?? Date.now,
    triggers: new JobTriggerCache(options.jobs, options.triggerEnvironment),
    observeAttempt: options.observeAttempt,
  };
}

/** `value` when it is an integer from 1 to `max`; a ValidationError naming `field` otherwise. */
export function positiveInteger(
  field: string,
  value: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new ValidationError(
      field,
      `must be an integer from 1 to ${max}, got ${value}`,
      `pass e.g. ${field}: 1`,
    );
  }
  return value;
}
