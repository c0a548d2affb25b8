import { inject } from 'vitest';
import { ensureTable } from '../../../lambdas/adapters/aws/dynamodb/table-definition.js';
import { automationsTable } from '../../../lambdas/adapters/aws/dynamodb/tables/automations-table.js';
import { jobsTable } from '../../../lambdas/adapters/aws/dynamodb/tables/jobs-table.js';
import { DynamoDbJobStore } from '../../../lambdas/adapters/aws/job-store/dynamodb-job-store.js';
import { SqsTaskQueue } from '../../../lambdas/adapters/aws/queues/sqs-task-queue.js';
import { Client } from '../../../lambdas/sdk/client.js';
import type { TaskClass } from '../../../lambdas/sdk/task.js';
import { TaskRegistry } from '../../../lambdas/sdk/task-registry.js';
import { TaskRunner } from '../../../lambdas/sdk/task-runner.js';
import { localClients, uniqueName } from '../support/local-aws.js';

/** A client built by `Client.fromEndpoints` on fresh tables, plus a runner factory on the same deployment. */
export interface ClientFixture {
  readonly client: Client;
  /** A task queue on the same deployment, to look at queue depths. */
  readonly queue: SqsTaskQueue;
  runner(cluster: string, tasks: readonly TaskClass[]): TaskRunner;
}

export async function createClientFixture(): Promise<ClientFixture> {
  const clients = localClients();
  const tables = { jobs: uniqueName('client-jobs'), automations: uniqueName('client-autos') };
  const taskQueuePrefix = `${uniqueName('client')}-`;
  await Promise.all([
    ensureTable(clients.dynamodb, jobsTable, tables.jobs),
    ensureTable(clients.dynamodb, automationsTable, tables.automations),
  ]);
  const client = Client.fromEndpoints(inject('awsEndpoints'), {
    tables,
    taskQueuePrefix,
    local: true,
  });
  const jobs = new DynamoDbJobStore({ client: clients.dynamodb, tableName: tables.jobs });
  const queue = new SqsTaskQueue({ client: clients.sqs, prefix: taskQueuePrefix, waitSeconds: 0 });
  return {
    client,
    queue,
    runner: (cluster, tasks) =>
      new TaskRunner({
        jobs,
        queue,
        registry: new TaskRegistry(tasks),
        cluster,
        leaseMs: 10_000,
        heartbeatMs: 1_000,
        handOnDelaySeconds: 0,
        logSink: () => {},
      }),
  };
}
