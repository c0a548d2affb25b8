import { escapeForDisplay } from '../../../lambdas/core/jobs/text-rules.js';
import { isUlid } from '../../../lambdas/core/jobs/ulid.js';
import type { Automation } from '../../../lambdas/core/ports/automation-store.js';
import type { BatchStore } from '../../../lambdas/core/ports/batch-store.js';
import type { StoredJob } from '../../../lambdas/core/ports/job-store.js';
import type { RunnerRegistry } from '../../../lambdas/core/ports/runner-registry.js';
import type { QueueDepth, TaskRoute } from '../../../lambdas/core/ports/task-queue.js';
import type { Client } from '../../../lambdas/sdk/client.js';
import type { LogRecord } from '../../../lambdas/sdk/task-logger.js';
import type { DeadLetterSummary } from '../../commands/dlq-format.js';
import { ConsoleRequestError } from './errors.js';

/** Which task log lines to read: one job's. */
export interface TaskLogQuery {
  readonly jobId: string;
}

/**
 * What the console reads. `now` is read per request so tests can fix it;
 * the optional sources (runners, queue depths, task logs) leave their part
 * of a view empty, and say so, when absent.
 */
export interface ConsoleSources {
  readonly client: Client;
  readonly batches: BatchStore;
  readonly deadLetters?: (() => Promise<readonly DeadLetterSummary[]>) | undefined;
  /** Runner announcements, for the clusters view. */
  readonly runners?: RunnerRegistry | undefined;
  /** Approximate depth of a route's queue and its cluster's DLQ ({@link TaskQueue.depth}). */
  readonly queueDepth?: ((route: TaskRoute) => Promise<QueueDepth>) | undefined;
  /** The job's task log lines in the order written (local mode: `<data-dir>/task-logs.jsonl`). */
  readonly taskLogs?: ((query: TaskLogQuery) => Promise<readonly LogRecord[]>) | undefined;
  readonly now: () => number;
}

/** Every automation, disabled ones included, by id. */
export async function automationsById(sources: ConsoleSources): Promise<Map<string, Automation>> {
  const automations = await sources.client.automations.list({ includeDisabled: true });
  return new Map(automations.map((automation) => [automation.id, automation]));
}

/** The job; 400 for a malformed id, 404 for an unknown one. */
export async function findJob(sources: ConsoleSources, jobId: string): Promise<StoredJob> {
  if (!isUlid(jobId)) {
    throw new ConsoleRequestError(400, `job id '${jobId}' is not a job id (26-character ULID)`);
  }
  const job = await sources.client.jobs.find(jobId);
  if (job === undefined) throw new ConsoleRequestError(404, `job ${jobId}: not found`);
  return job;
}

/**
 * `text` with control characters other than line breaks written as visible
 * escapes ({@link escapeForDisplay} line by line): for errors, log messages
 * and JSON, whose line breaks are part of what they say.
 */
export function displayLines(text: string): string {
  return text.split('\n').map(escapeForDisplay).join('\n');
}
