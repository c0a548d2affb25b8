import type { Command } from 'commander';
import { ValidationError } from '../../lambdas/core/errors.js';
import { MAX_RETRIES_LIMIT } from '../../lambdas/core/jobs/retry-policy.js';
import { parseIntegerOption, printJson } from './cli-io.js';
import {
  type ConnectionOptions,
  connect,
  connectedAction,
  withConnectionOption,
} from './connection-options.js';
import { formatJob, formatJobTable, formatJobTreeText } from './job-format.js';
import { findJob, registerJobsLogsCommand } from './jobs-logs.js';
import { registerJobsTraceCommand } from './jobs-trace.js';
import { watchJob } from './jobs-watch.js';
import {
  INPUT_OPTION_HELP,
  TASK_OPTION_HELP,
  taskFromOptions,
  withClusterOption,
} from './task-option.js';

interface JsonOption extends ConnectionOptions {
  json?: boolean;
}

interface SubmitOptions extends JsonOption {
  task: string;
  input?: string;
  cluster?: string;
  maxRetries?: number;
  name?: string;
}

interface ListOptions extends JsonOption {
  since: string;
  limit: number;
}

interface TreeOptions extends JsonOption {
  format: string;
}

interface WatchOptions extends JsonOption {
  interval: number;
}

const DEFAULT_SINCE = '24h';
const DEFAULT_LIMIT = 20;
/** The job store's largest page. */
const MAX_LIMIT = 1000;
const DEFAULT_WATCH_INTERVAL_MS = 500;
const TREE_FORMATS = ['text', 'mermaid', 'svg'] as const;
const DURATION_UNITS_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Registers `bucketflow jobs submit|list|find|cancel|retry|tree|watch|logs|trace`.
 *
 * @example
 * ```ts
 * registerJobsCommand(new Command('bucketflow'));
 * ```
 */
export function registerJobsCommand(program: Command): void {
  const jobs = program
    .command('jobs')
    .description('jobs: trees of tasks run by the runners of their clusters');

  withConnectionOption(
    jobs
      .command('submit')
      .description('submit a job whose root task is NAME@vX.Y with a JSON input')
      .requiredOption('--task <identifier>', TASK_OPTION_HELP)
      .option('--input <json>', INPUT_OPTION_HELP)
      .option('--cluster <slug>', 'cluster slug (default: the default cluster)')
      .option(
        '--max-retries <n>',
        `retries after a failed attempt, 0 to ${MAX_RETRIES_LIMIT} (default: 0)`,
        parseIntegerOption('--max-retries', 0),
      )
      .option('--name <name>', 'job name (default: the task name)')
      .option('--json', 'print the job as JSON'),
  ).action(
    connectedAction(async (options: SubmitOptions) => {
      if (options.maxRetries !== undefined && options.maxRetries > MAX_RETRIES_LIMIT) {
        throw new ValidationError(
          '--max-retries',
          `must be at most ${MAX_RETRIES_LIMIT}, got ${options.maxRetries}`,
        );
      }
      const task = taskFromOptions(options);
      const { client } = await connect(options);
      const job = await withClusterOption(options.cluster, () =>
        client.jobs.submit(options.name ?? task.identifier.name, task, {
          cluster: options.cluster,
          maxRetries: options.maxRetries,
        }),
      );
      if (options.json) return printJson(job);
      process.stdout.write(
        `submitted job ${job.jobId} (${job.name}) on cluster ${job.cluster}\n` +
          `watch it with: bucketflow jobs watch ${job.jobId}\n`,
      );
    }),
  );

  withConnectionOption(
    jobs
      .command('list')
      .description('list the jobs submitted since a time, newest first')
      .option(
        '--since <when>',
        "a duration back from now (45s, 30m, 1h, 7d, 2w) or an ISO-8601 time, e.g. '2026-05-01T00:00:00Z'",
        DEFAULT_SINCE,
      )
      .option(
        '--limit <n>',
        `most jobs to list (1 to ${MAX_LIMIT})`,
        parseIntegerOption('--limit', 1),
        DEFAULT_LIMIT,
      )
      .option('--json', 'print a JSON array of jobs'),
  ).action(
    connectedAction(async (options: ListOptions) => {
      if (options.limit > MAX_LIMIT) {
        throw new ValidationError('--limit', `must be at most ${MAX_LIMIT}, got ${options.limit}`);
      }
      const now = Date.now();
      const from = parseSince(options.since, now);
      const { client } = await connect(options);
      const page = await client.jobs.query({ from, to: now + 1, limit: options.limit });
      if (options.json) return printJson(page.jobs);
      if (page.jobs.length === 0) {
        process.stdout.write(`no jobs submitted since ${new Date(from).toISOString()}\n`);
        return;
      }
      process.stdout.write(formatJobTable(page.jobs));
      if (page.nextCursor !== undefined) {
        process.stderr.write(`(more jobs: raise --limit or shorten --since)\n`);
      }
    }),
  );

  withConnectionOption(
    jobs
      .command('find')
      .description('show one job')
      .argument('<id>', 'job id')
      .option('--json', 'print the job as JSON'),
  ).action(
    connectedAction(async (id: string, options: JsonOption) => {
      const { client } = await connect(options);
      const job = await findJob(client, id);
      const waiting = await client.jobs.waiting(id);
      if (options.json) return printJson({ ...job, waiting });
      process.stdout.write(formatJob(job, waiting));
    }),
  );

  withConnectionOption(
    jobs
      .command('cancel')
      .description('cancel a job: queued tasks stop, running ones finish')
      .argument('<id>', 'job id')
      .option('--json', 'print the result as JSON'),
  ).action(
    connectedAction(async (id: string, options: JsonOption) => {
      const { client } = await connect(options);
      await findJob(client, id);
      const result = await client.jobs.cancel(id);
      if (options.json) return printJson(result);
      process.stdout.write(
        `cancelled job ${id}: ${result.cancelled} queued task(s) cancelled, state ${result.job.state}\n`,
      );
    }),
  );

  withConnectionOption(
    jobs
      .command('retry')
      .description('requeue the failed and cancelled tasks of a job')
      .argument('<id>', 'job id')
      .option('--json', 'print the result as JSON'),
  ).action(
    connectedAction(async (id: string, options: JsonOption) => {
      const { client } = await connect(options);
      await findJob(client, id);
      const { job, requeued } = await client.jobs.retry(id);
      if (options.json) return printJson({ job, requeued });
      process.stdout.write(`retried job ${id}: ${requeued} task(s) requeued, state ${job.state}\n`);
    }),
  );

  withConnectionOption(
    jobs
      .command('tree')
      .description('show the task tree of a job')
      .argument('<id>', 'job id')
      .option('--format <format>', 'text (an indented tree), mermaid (a flowchart) or svg', 'text')
      .option('--json', 'print the job and its tasks as JSON instead'),
  ).action(
    connectedAction(async (id: string, options: TreeOptions) => {
      const format = options.format as (typeof TREE_FORMATS)[number];
      if (!TREE_FORMATS.includes(format)) {
        throw new ValidationError(
          '--format',
          `must be one of ${TREE_FORMATS.join(', ')}, got '${options.format}'`,
        );
      }
      const { client } = await connect(options);
      const job = await findJob(client, id);
      if (format !== 'text' && !options.json) {
        process.stdout.write(ensureNewline(await client.jobs.visualize(id, format)));
        return;
      }
      const tasks = await client.jobs.tasks(id);
      if (options.json) return printJson({ job, tasks });
      process.stdout.write(formatJobTreeText(job, tasks));
    }),
  );

  withConnectionOption(
    jobs
      .command('watch')
      .description(
        'show the progress of a job until it ends; exit 0 when it is COMPLETED, 1 when FAILED or CANCELLED',
      )
      .argument('<id>', 'job id')
      .option(
        '--interval <ms>',
        'time between polls (one read each)',
        parseIntegerOption('--interval', 50),
        DEFAULT_WATCH_INTERVAL_MS,
      )
      .option('--json', 'print only the final job, as JSON'),
  ).action(
    connectedAction(async (id: string, options: WatchOptions) => {
      const { client } = await connect(options);
      const job = await watchJob(client, id, {
        intervalMs: options.interval,
        output: options.json
          ? undefined
          : {
              write: (text) => process.stdout.write(text),
              redraw: process.stdout.isTTY === true,
            },
      });
      if (options.json) printJson(job);
      process.exitCode = job.state === 'COMPLETED' ? 0 : 1;
    }),
  );

  registerJobsLogsCommand(jobs);
  registerJobsTraceCommand(jobs);
}

/**
 * `--since`: a duration back from `now` (`90s`, `30m`, `1h`, `7d`, `2w`) or
 * an ISO-8601 time; returns epoch ms.
 */
export function parseSince(raw: string, now: number): number {
  const duration = /^(\d+)\s*([smhdw])$/.exec(raw.trim());
  if (duration) {
    return Math.max(0, now - Number(duration[1]) * (DURATION_UNITS_MS[duration[2] ?? ''] ?? 0));
  }
  const time = /^\d{4}-\d{2}-\d{2}/.test(raw) ? Date.parse(raw) : Number.NaN;
  if (Number.isNaN(time) || time < 0) {
    throw new ValidationError(
      '--since',
      `'${raw}' is neither a duration nor an ISO-8601 time`,
      "write e.g. --since 1h, --since 7d or --since '2026-05-01T00:00:00Z'",
    );
  }
  return time;
}

function ensureNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}
