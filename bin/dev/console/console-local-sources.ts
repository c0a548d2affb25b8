import type { AwsClients } from '../../../lambdas/adapters/aws/aws-clients.js';
import { DynamoDbRunnerRegistry } from '../../../lambdas/adapters/aws/job-store/dynamodb-runner-registry.js';
import { LocalTaskLog } from '../../../lambdas/adapters/local/local-task-log.js';
import type { ConsoleSources } from './console-sources.js';

/** What {@link localConsoleSources} reads from. */
export interface LocalConsoleSourcesOptions {
  readonly clients: Pick<AwsClients, 'dynamodb'>;
  /** The jobs table, which also holds the runner registrations. */
  readonly jobsTable: string;
  /** The data directory, whose `task-logs.jsonl` the local runners append to. */
  readonly dataDir: string;
  readonly queueDepth: NonNullable<ConsoleSources['queueDepth']>;
}

/**
 * The console's runner, queue and task log sources of a local stack: the
 * runner registry in the jobs table, the task queues' depths and the data
 * directory's task log.
 *
 * @example
 * ```ts
 * await startConsoleServer({ client, batches, ...localConsoleSources({ clients, jobsTable, dataDir, queueDepth }) });
 * ```
 */
export function localConsoleSources(
  options: LocalConsoleSourcesOptions,
): Pick<ConsoleSources, 'runners' | 'queueDepth' | 'taskLogs'> {
  const log = new LocalTaskLog(options.dataDir);
  return {
    runners: new DynamoDbRunnerRegistry({
      client: options.clients.dynamodb,
      tableName: options.jobsTable,
    }),
    queueDepth: options.queueDepth,
    taskLogs: (query) => log.read(query),
  };
}
