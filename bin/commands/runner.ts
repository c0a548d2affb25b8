import { join } from 'node:path';
import type { Command } from 'commander';
import { TASK_QUEUE_WAIT_SECONDS } from '../../lambdas/adapters/aws/queues/task-messages.js';
import { DEFAULT_CLUSTER_SLUG } from '../../lambdas/core/automations/cluster-slug.js';
import { ValidationError } from '../../lambdas/core/errors.js';
import { formatTaskIdentifier } from '../../lambdas/core/jobs/task-identifier.js';
import type { Client } from '../../lambdas/sdk/client.js';
import type { Connection } from '../../lambdas/sdk/connection.js';
import { runUntilSignal } from '../../lambdas/sdk/runner-signals.js';
import { identifierOf } from '../../lambdas/sdk/task.js';
import type { LogSink } from '../../lambdas/sdk/task-logger.js';
import { parseIntegerOption } from './cli-io.js';
import {
  type ConnectionOptions,
  connect,
  connectedAction,
  withConnectionOption,
} from './connection-options.js';
import { loadTaskModules } from './runner-tasks.js';

interface RunnerOptions extends ConnectionOptions {
  cluster?: string;
  tasks: string[];
  concurrency: number;
}

/** The task runner's own limit. */
const MAX_CONCURRENCY = 100;

/**
 * Registers `bucketflow runner`: a long-running task runner for one cluster
 * that stops polling on SIGTERM or SIGINT, finishes its running tasks and
 * exits 0 (a second signal ends it at once).
 *
 * @example
 * ```ts
 * registerRunnerCommand(new Command('bucketflow'));
 * ```
 */
export function registerRunnerCommand(program: Command): void {
  withConnectionOption(
    program
      .command('runner')
      .description(
        'run the tasks of a module on one cluster until SIGTERM/SIGINT (then finish running tasks)',
      )
      .requiredOption(
        '--tasks <module>',
        'module (.ts or .js, relative to the working directory) exporting Task classes, or an\n' +
          'array `export const tasks = [...]`, which then is used as is (repeatable)',
        (value: string, previous: string[]) => [...previous, value],
        [] as string[],
      )
      .option('--cluster <slug>', 'cluster whose queue to poll (default: the default cluster)')
      .option(
        '--concurrency <n>',
        `tasks run at once, 1 to ${MAX_CONCURRENCY}`,
        parseIntegerOption('--concurrency', 1),
        1,
      ),
  ).action(
    connectedAction(async (options: RunnerOptions) => {
      if (options.concurrency > MAX_CONCURRENCY) {
        throw new ValidationError(
          '--concurrency',
          `must be at most ${MAX_CONCURRENCY}, got ${options.concurrency}`,
        );
      }
      const tasks = await loadTaskModules(options.tasks, process.cwd());
      const { client, connection } = await connect(options);
      const tracing = await startRunnerTracing(connection);
      const cluster = await existingCluster(client, options.cluster);
      const runner = client.runner({
        cluster,
        tasks,
        concurrency: options.concurrency,
        logSink: await runnerLogSink(connection),
      });
      const identifiers = tasks.map((task) => formatTaskIdentifier(identifierOf(task))).sort();
      process.stdout.write(
        `runner ${runner.runnerId} polling cluster ${cluster} (concurrency ${options.concurrency}) for ${identifiers.join(', ')}\n`,
      );
      const summary = await runUntilSignal(runner, {
        onSignal: (signal) => {
          process.stdout.write(
            `stopping: finishing ${runner.runningCount} running task(s) (${signal}; a long poll under way ends within ${TASK_QUEUE_WAIT_SECONDS} s; send the signal again to exit at once)\n`,
          );
        },
      });
      process.stdout.write(`stopped runner ${runner.runnerId}: ${JSON.stringify(summary)}\n`);
      await tracing.shutdown();
      // Idle keep-alive sockets of the AWS clients would otherwise hold the process open.
      process.exit(0);
    }),
  );
}

async function existingCluster(client: Client, slug: string | undefined): Promise<string> {
  if (slug === undefined || slug === DEFAULT_CLUSTER_SLUG) {
    return (await client.clusters.default()).slug;
  }
  if ((await client.clusters.find(slug)) === undefined) {
    throw new ValidationError(
      '--cluster',
      `unknown cluster '${slug}'`,
      'list them with: bucketflow clusters list; create one with: bucketflow clusters create NAME',
    );
  }
  return slug;
}

/**
 * Attempt spans over OTLP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, and on a
 * local connection in the data directory's trace file, beside those of the
 * ingest and the job that `bucketflow jobs trace` shows with them.
 */
async function startRunnerTracing(connection: Connection): Promise<{ shutdown(): Promise<void> }> {
  const { startTracing } = await import('../../lambdas/adapters/otel/tracing-setup.js');
  const { LOCAL_TRACE_FILE } = await import('../../lambdas/adapters/otel/jsonl-span-exporter.js');
  const local = connection.kind === 'local' ? connection.dataDir : undefined;
  return startTracing({
    serviceName: 'bucketflow-runner',
    file: local === undefined ? undefined : join(local, LOCAL_TRACE_FILE),
    env: process.env,
  });
}

/**
 * Powertools lines on the console; on a local connection also the data
 * directory's task log, so that `bucketflow jobs logs` finds them as it finds
 * those of the runners of `bucketflow dev`.
 */
async function runnerLogSink(connection: Connection): Promise<LogSink> {
  const { powertoolsLogSink } = await import('../../lambdas/sdk/powertools-log-sink.js');
  const { teeLogSink } = await import('../../lambdas/sdk/task-logger.js');
  const printed = powertoolsLogSink();
  if (connection.kind !== 'local' || connection.dataDir === undefined) return printed;
  const { LocalTaskLog } = await import('../../lambdas/adapters/local/local-task-log.js');
  return teeLogSink(printed, new LocalTaskLog(connection.dataDir).sink);
}
