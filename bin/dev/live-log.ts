import type { S3EventBridgeEvent } from '../../lambdas/adapters/aws/events/s3-event-parsing.js';
import { escapeForDisplay } from '../../lambdas/core/jobs/text-rules.js';
import type { JobStore, StoredJob } from '../../lambdas/core/ports/job-store.js';
import type { ServiceEvent } from '../../lambdas/core/services/service-dependencies.js';
import type { LogRecord } from '../../lambdas/sdk/task-logger.js';
import { logFieldText, oneLine } from '../commands/cli-format.js';

/** Width of the tag column (`event`, `task`, `batch`, ...). */
const TAG_WIDTH = 7;

export interface LiveLogOptions {
  /** Where lines go. @default process.stdout */
  readonly write?: (text: string) => void;
  /** @default Date.now */
  readonly clock?: () => number;
}

/** How the log follows jobs; set once the stores exist (see {@link LiveLog.follow}). */
export interface LiveLogFollow {
  /** Reads a finished task's display for its line. */
  readonly jobs: Pick<JobStore, 'getTask'>;
  /** A job the services submitted, to follow until it finishes. */
  readonly onJobSubmitted: (jobId: string) => void;
  /** The job of a task this process finished, to report the job when it finishes. */
  readonly onTaskFinished: (jobId: string) => void;
}

/**
 * The readable log of `bucketflow dev`: one line per thing that happened,
 * `HH:MM:SS tag     text`, from object events, the services' events (job
 * submitted, batch closed, cron fired), the in-process runners' records
 * (task done, the task's own log lines) and finished jobs.
 *
 * @example
 * ```ts
 * const log = new LiveLog();
 * log.line('info', 'ready');
 * const runtime = createHandlerRuntime(config, clients, { observe: (event) => log.serviceEvent(event) });
 * ```
 */
export class LiveLog {
  readonly #options: LiveLogOptions;
  #follow: LiveLogFollow | undefined;

  constructor(options: LiveLogOptions = {}) {
    this.#options = options;
  }

  /** Starts following jobs: submitted ones, and those whose tasks finish here. */
  follow(hooks: LiveLogFollow): void {
    this.#follow = hooks;
  }

  /**
   * One line: time, tag, text. Object keys, error messages and task logs are
   * text users do not control, so control characters are written as visible
   * escapes: a key can neither retitle or clear the terminal nor break the line.
   */
  line(tag: string, text: string): void {
    const time = clockTime((this.#options.clock ?? Date.now)());
    const write = this.#options.write ?? ((chunk: string) => void process.stdout.write(chunk));
    write(`${time} ${tag.padEnd(TAG_WIDTH)} ${escapeForDisplay(text)}\n`);
  }

  /** An object event on its way to the ingest queue. */
  objectEvent(event: S3EventBridgeEvent, origin: 's3' | 'folder'): void {
    const kind = event['detail-type'] === 'Object Created' ? 'ObjectCreated' : 'ObjectDeleted';
    const size = event.detail.object.size;
    const details = [
      kind,
      ...(size === undefined ? [] : [`${size} B`]),
      ...(origin === 'folder' ? ['folder'] : []),
    ];
    this.line(
      'event',
      `${event.detail.bucket.name}/${event.detail.object.key} (${details.join(', ')})`,
    );
  }

  /** What a service did (the handler runtime's `observe`). */
  serviceEvent(event: ServiceEvent): void {
    switch (event.type) {
      case 'job-submitted': {
        if (event.created) this.#follow?.onJobSubmitted(event.jobId);
        const cron = /^cron .* at (\S+)$/.exec(event.cause);
        if (cron) {
          const fired = clockTime(Date.parse(cron[1] ?? ''), false);
          this.line(
            'cron',
            event.created
              ? `${event.automation} fired ${fired} → job ${event.jobId} submitted`
              : `${event.automation} ${fired}: job ${event.jobId} already submitted`,
          );
          return;
        }
        this.line(
          '',
          event.created
            ? `→ automation ${event.automation} matched → job ${event.jobId} submitted`
            : `→ automation ${event.automation}: job ${event.jobId} already submitted (repeated event)`,
        );
        return;
      }
      case 'batch-closed': {
        const { bucket, prefix, count, reason } = event.batch;
        this.line(
          'batch',
          `closed ${bucket}/${prefix} count ${count} (${reason}) [${event.automation}]`,
        );
        return;
      }
      case 'batch-dispatched': {
        if (event.jobId) this.#follow?.onJobSubmitted(event.jobId);
        const parts = [
          ...(event.event ? ['objects-batch-ready event published'] : []),
          ...(event.jobId ? [`job ${event.jobId} submitted`] : []),
        ];
        if (parts.length > 0) this.line('', `→ ${parts.join(', ')}`);
        return;
      }
      case 'batch-dispatch-failed':
        this.line(
          'error',
          `batch ${event.batchId} [${event.automation}] not dispatched (attempt ${event.attempts}, retried at ${clockTime(event.retryAt, false)}): ${errorText(event.error)}`,
        );
        return;
      case 'batches-stuck':
        if (event.count > 0) {
          this.line('batch', `${event.count} batch(es) stuck: see 'bucketflow batch stuck'`);
        }
        return;
      case 'tasks-requeued':
        this.line('requeue', `${event.count} task(s) sent again (${event.reason})`);
        return;
      case 'error':
        this.line('error', `${event.where}: ${errorText(event.error)}`);
        return;
    }
  }

  /** A record of an in-process runner (its `logSink`). */
  runnerRecord(record: LogRecord): void {
    const fields = record.fields;
    if (fields.runnerId === undefined) {
      this.line(
        record.level === 'info' ? 'log' : record.level,
        `${record.message}${logFieldText(fields)}`,
      );
      return;
    }
    if (record.message === 'task started') return;
    if (record.message === 'task finished') {
      void this.#taskFinished(record);
      return;
    }
    if (record.level === 'warn' || record.level === 'error') {
      this.line(record.level, `${record.message}${logFieldText(fields)}`);
    }
  }

  /** A job that reached COMPLETED, FAILED or CANCELLED. */
  jobFinished(job: StoredJob): void {
    const took = job.updatedAt - job.createdAt;
    this.line(
      'job',
      `${job.jobId} ${job.state} (${job.name}, ${job.taskCount} task(s), ${took} ms)`,
    );
  }

  async #taskFinished(record: LogRecord): Promise<void> {
    const { identifier, durationMs, outcome, state, jobId, taskId, error } =
      record.fields as Record<string, unknown>;
    const name = typeof identifier === 'string' ? identifier.replace(/@v0\.0$/, '') : 'task';
    if (outcome === 'computed') {
      let display = '';
      try {
        const task = await this.#follow?.jobs.getTask(String(jobId), String(taskId));
        if (task && task.display !== task.identifier.name) display = oneLine(task.display);
      } catch {
        // The line is printed without the display.
      }
      this.line('task', `${name} done in ${durationMs} ms${display ? `: ${display}` : ''}`);
    } else if (outcome === 'failed') {
      const next = state === 'QUEUED' ? 'will retry' : String(state);
      this.line('task', `${name} failed in ${durationMs} ms (${next}): ${String(error ?? '')}`);
    } else {
      this.line(
        'task',
        `${name} ${String(outcome)}${logFieldText({ reason: record.fields.reason })}`,
      );
    }
    if (typeof jobId === 'string') this.#follow?.onTaskFinished(jobId);
  }
}

/** `HH:MM:SS` (or `HH:MM`) in local time. */
function clockTime(epochMs: number, seconds = true): string {
  if (!Number.isFinite(epochMs)) return '--:--';
  const at = new Date(epochMs);
  const parts = [at.getHours(), at.getMinutes(), ...(seconds ? [at.getSeconds()] : [])];
  return parts.map((part) => String(part).padStart(2, '0')).join(':');
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
