import type { Command } from 'commander';
import { ValidationError } from '../../lambdas/core/errors.js';
import type { Client } from '../../lambdas/sdk/client.js';
import type { Connection } from '../../lambdas/sdk/connection.js';
import type { LogRecord } from '../../lambdas/sdk/task-logger.js';
import { logFieldText } from './cli-format.js';
import { printJson } from './cli-io.js';
import {
  type ConnectionOptions,
  connect,
  connectedAction,
  withConnectionOption,
} from './connection-options.js';

interface LogsOptions extends ConnectionOptions {
  json?: boolean;
  task?: string;
}

/** How far before the job's creation the search starts: clocks of hosts differ a little. */
const CLOCK_SKEW_MS = 60_000;

/**
 * Registers `bucketflow jobs logs JOB [--task ID] [--json]`: the log lines of
 * a job's task attempts, from the data directory's task log in local mode and
 * from the Lambda runners' CloudWatch log groups on a deployed stack.
 *
 * @example
 * ```ts
 * registerJobsLogsCommand(program.command('jobs'));
 * ```
 */
export function registerJobsLogsCommand(jobs: Command): void {
  withConnectionOption(
    jobs
      .command('logs')
      .description(
        "print the log lines of a job's task attempts (local mode: the data directory's task log; a stack: its Lambda runners' CloudWatch Logs)",
      )
      .argument('<id>', 'job id')
      .option('--task <id>', 'only the lines of this task')
      .option('--json', 'print the lines as a JSON array'),
  ).action(
    connectedAction(async (id: string, options: LogsOptions) => {
      const { client, connection } = await connect(options);
      const job = await findJob(client, id);
      const lines = await readTaskLogs(connection, {
        jobId: job.jobId,
        taskId: options.task,
        since: job.createdAt - CLOCK_SKEW_MS,
      });
      if (options.json) {
        printJson(
          lines.map((line) => ({
            time: new Date(line.time).toISOString(),
            level: line.level,
            message: line.message,
            ...line.fields,
          })),
        );
        return;
      }
      process.stdout.write(lines.map(formatLogLine).join(''));
      if (lines.length === 0)
        process.stderr.write(
          `no log lines for job ${job.jobId}${options.task ? ` task ${options.task}` : ''}\n`,
        );
    }),
  );
}

/**
 * The job, or a ValidationError naming the id (exit 2).
 *
 * @example
 * ```ts
 * const job = await findJob(client, '01JA3…');
 * ```
 */
export async function findJob(client: Client, id: string) {
  const job = await client.jobs.find(id);
  if (job === undefined) {
    throw new ValidationError(
      `job ${id}`,
      'no such job',
      'list recent jobs with: bucketflow jobs list',
    );
  }
  return job;
}

/** One line: time, level, task and attempt, message and the call's own fields. */
export function formatLogLine(line: LogRecord): string {
  const { taskId, attempt } = line.fields;
  const task = typeof taskId === 'string' ? `${taskId}#${String(attempt ?? '-')}` : '-';
  return `${new Date(line.time).toISOString()} ${line.level.toUpperCase().padEnd(5)} ${task} ${line.message}${logFieldText(line.fields)}\n`;
}

async function readTaskLogs(
  connection: Connection,
  query: { jobId: string; taskId?: string | undefined; since: number },
): Promise<LogRecord[]> {
  if (connection.kind === 'local') {
    if (connection.dataDir === undefined) {
      throw new ValidationError(
        '--data-dir',
        'the local connection names no data directory, so its task log cannot be found',
        'pass --data-dir DIR of the running bucketflow dev',
      );
    }
    const { LocalTaskLog } = await import('../../lambdas/adapters/local/local-task-log.js');
    return new LocalTaskLog(connection.dataDir).read(query);
  }
  const logGroups = connection.taskLogGroups;
  if (logGroups === undefined) {
    throw new ValidationError(
      '--stack',
      "the stack's connection output lists no runner log groups",
      'redeploy the stack with this version of bucketflow',
    );
  }
  const [{ CloudWatchLogsClient }, { readCloudWatchTaskLogs }] = await Promise.all([
    import('@aws-sdk/client-cloudwatch-logs'),
    import('../../lambdas/adapters/aws/logs/cloudwatch-task-logs.js'),
  ]);
  const { region, profile } = connection.endpoints;
  const client = new CloudWatchLogsClient({ region, ...(profile ? { profile } : {}) });
  try {
    return await readCloudWatchTaskLogs(query, { client, logGroups, startTime: query.since });
  } finally {
    client.destroy();
  }
}
