import { ensureTable } from '../../../lambdas/adapters/aws/dynamodb/table-definition.js';
import { jobsTable } from '../../../lambdas/adapters/aws/dynamodb/tables/jobs-table.js';
import { DynamoDbJobStore } from '../../../lambdas/adapters/aws/job-store/dynamodb-job-store.js';
import { taskIdentifier } from '../../../lambdas/core/jobs/task-identifier.js';
import type { TaskSpec } from '../../../lambdas/core/jobs/task-spec.js';
import type { TaskMessage } from '../../../lambdas/core/ports/task-queue.js';
import { localClients, uniqueName } from '../support/local-aws.js';

/** A job store on its own table, with a clock the test moves. */
export interface JobStoreFixture {
  readonly store: DynamoDbJobStore;
  readonly clients: ReturnType<typeof localClients>;
  readonly tableName: string;
  now: number;
}

export const START = Date.UTC(2025, 0, 15, 12, 0, 0);

export async function createFixture(options: { leaseMs?: number } = {}): Promise<JobStoreFixture> {
  const clients = localClients();
  const tableName = uniqueName('jobs');
  await ensureTable(clients.dynamodb, jobsTable, tableName);
  const fixture = { clients, tableName, now: START } as JobStoreFixture;
  (fixture as { store: DynamoDbJobStore }).store = new DynamoDbJobStore({
    client: clients.dynamodb,
    tableName,
    clock: () => fixture.now,
    leaseMs: options.leaseMs ?? 60_000,
  });
  return fixture;
}

export function spec(name: string, extra: Partial<TaskSpec> = {}): TaskSpec {
  return { identifier: taskIdentifier(name, 'v1.0'), input: { name }, ...extra };
}

/** Claims a dispatched task as `runnerId` and completes it with `subtasks`. */
export async function run(
  store: DynamoDbJobStore,
  dispatch: TaskMessage,
  subtasks: TaskSpec[] = [],
  runnerId = 'runner-1',
) {
  const claim = await store.claim({ ...dispatch, runnerId });
  if (!claim.claimed) throw new Error(`claim of ${dispatch.taskId} refused: ${claim.reason}`);
  return store.complete({ ...claim.lease, subtasks });
}
