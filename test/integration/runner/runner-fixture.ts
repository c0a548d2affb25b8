import { ensureTable } from '../../../lambdas/adapters/aws/dynamodb/table-definition.js';
import { jobsTable } from '../../../lambdas/adapters/aws/dynamodb/tables/jobs-table.js';
import { DynamoDbJobStore } from '../../../lambdas/adapters/aws/job-store/dynamodb-job-store.js';
import { SqsTaskQueue } from '../../../lambdas/adapters/aws/queues/sqs-task-queue.js';
import type { StoredJob, StoredTask } from '../../../lambdas/core/ports/job-store.js';
import type { AnyTask, TaskClass } from '../../../lambdas/sdk/task.js';
import type { LogRecord } from '../../../lambdas/sdk/task-logger.js';
import { TaskRegistry } from '../../../lambdas/sdk/task-registry.js';
import {
  type RunSummary,
  TaskRunner,
  type TaskRunnerOptions,
} from '../../../lambdas/sdk/task-runner.js';
import { localClients, uniqueName } from '../support/local-aws.js';

/** Longest a `runAll` in these tests may take before it is aborted (and the test's assertions fail). */
export const RUN_ALL_GUARD_MS = 25_000;

/** A job store and a task queue of their own on the local servers. */
export interface RunnerFixture {
  readonly jobs: DynamoDbJobStore;
  readonly queue: SqsTaskQueue;
  readonly logs: LogRecord[];
  /** Submits `task` as a job's root task on `cluster` and sends it. */
  submit(task: AnyTask, cluster: string, options?: { maxRetries?: number }): Promise<StoredJob>;
  /** A runner on `cluster` for `tasks`, logging into `logs`. */
  runner(
    cluster: string,
    tasks: readonly TaskClass[],
    options?: Partial<TaskRunnerOptions>,
  ): TaskRunner;
  /** `runAll` bounded by {@link RUN_ALL_GUARD_MS}. */
  runAll(runner: TaskRunner): Promise<RunSummary>;
  tasksOf(jobId: string): Promise<StoredTask[]>;
}

export async function createRunnerFixture(): Promise<RunnerFixture> {
  const clients = localClients();
  const tableName = uniqueName('runner-jobs');
  await ensureTable(clients.dynamodb, jobsTable, tableName);
  const jobs = new DynamoDbJobStore({ client: clients.dynamodb, tableName });
  const queue = new SqsTaskQueue({
    client: clients.sqs,
    prefix: `${uniqueName('runner')}-`,
    waitSeconds: 0,
    // Refusals by incompatible runners count as receives (twice on the local server).
    maxReceiveCount: 20,
    visibilitySeconds: 30,
  });
  const logs: LogRecord[] = [];
  return {
    jobs,
    queue,
    logs,
    async submit(task, cluster, options = {}) {
      const submitted = await jobs.submit({
        name: uniqueName('job'),
        root: task.toSpec({ cluster, maxRetries: options.maxRetries }),
      });
      await queue.send(submitted.runnable);
      return submitted.job;
    },
    runner(cluster, tasks, options = {}) {
      return new TaskRunner({
        jobs,
        queue,
        registry: new TaskRegistry(tasks),
        cluster,
        leaseMs: 10_000,
        heartbeatMs: 1_000,
        handOnDelaySeconds: 0,
        logSink: (record) => logs.push(record),
        ...options,
      });
    },
    runAll(runner) {
      return runner.runAll({ signal: AbortSignal.timeout(RUN_ALL_GUARD_MS) });
    },
    tasksOf(jobId) {
      return jobs.listTasks(jobId);
    },
  };
}

/** A cluster slug no other test uses, so each test polls its own queue. */
export function uniqueCluster(): string {
  return uniqueName('c');
}
