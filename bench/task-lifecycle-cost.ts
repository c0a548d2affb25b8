import type { AwsClients } from '../lambdas/adapters/aws/aws-clients.js';
import type { RequestAccounting } from '../lambdas/adapters/aws/request-accounting.js';
import { taskIdentifier } from '../lambdas/core/jobs/task-identifier.js';
import type { JobStore, Lease } from '../lambdas/core/ports/job-store.js';
import type { TaskMessage } from '../lambdas/core/ports/task-queue.js';
import type { DynamoDbItemLedger } from './dynamodb-item-ledger.js';
import { type BenchSection, fmt } from './harness.js';
import { naiveTaskLifecycle, readJobItems } from './request-cost-fixtures.js';

const TASKS = 50;
const OPERATIONS = ['GetItem', 'BatchGetItem', 'TransactWriteItems', 'UpdateItem', 'PutItem'];
/** Issue 13's goal for a single-task job's lifecycle, in AWS-billed write units. */
const TARGET_JOB_WRITE_UNITS = 10;
/** Issue 13's goal for the runner path (claim and complete), in DynamoDB requests per task. */
const TARGET_RUNNER_REQUESTS = 4;

/**
 * Requests and capacity per task of submit → claim → complete through the
 * job store, as AWS bills them (from item sizes, by the ledger's billing)
 * beside DynamoDB Local's report, compared with the same items written
 * without transactions, indexes or idempotency records (a PutItem per item,
 * an UpdateItem for the claim and for the completion).
 */
export async function measureTaskLifecycle(
  jobs: JobStore,
  accounting: RequestAccounting,
  ledger: DynamoDbItemLedger,
  naiveTableName: string,
  clients: AwsClients,
  jobsTableName: string,
): Promise<BenchSection> {
  const rows: Record<string, string | number>[] = [];
  const sum = { requests: 0, wu: 0, ru: 0, local: 0, runner: 0 };
  const per = (value: number) => fmt(value / TASKS, 2);
  const phase = async (label: string, act: () => Promise<void>) => {
    accounting.reset();
    ledger.reset();
    await act();
    const billed = ledger.billedUnits();
    const requests = accounting.total('dynamodb').requests;
    sum.requests += requests;
    if (label !== 'submit (idempotency key)') sum.runner += requests;
    sum.wu += billed.awsWriteUnits;
    sum.ru += billed.awsReadUnits;
    sum.local += billed.localWriteUnits;
    rows.push({
      phase: label,
      'requests/task': per(requests),
      ...Object.fromEntries(OPERATIONS.map((op) => [op, per(accounting.requests('dynamodb', op))])),
      'failed/task': per(accounting.total('dynamodb').errors),
      'AWS WU/task': per(billed.awsWriteUnits),
      'AWS RU/task': per(billed.awsReadUnits),
      'local WU/task': per(billed.localWriteUnits),
    });
  };

  const dispatches: TaskMessage[] = [];
  const leases: Lease[] = [];
  await phase('submit (idempotency key)', async () => {
    for (let i = 0; i < TASKS; i++) {
      const result = await jobs.submit({
        name: 'bench-lifecycle',
        root: {
          identifier: taskIdentifier('BenchTask', 'v1.0'),
          input: { key: `object-${i}.txt` },
        },
        idempotencyKey: `bench:lifecycle:${i}`,
      });
      dispatches.push(...result.runnable);
    }
  });
  await phase('claim', async () => {
    for (const dispatch of dispatches) {
      const claim = await jobs.claim({
        jobId: dispatch.jobId,
        taskId: dispatch.taskId,
        attempt: dispatch.attempt,
        runnerId: 'bench-runner',
      });
      if (claim.claimed) leases.push(claim.lease);
    }
  });
  await phase('complete (no subtasks)', async () => {
    for (const lease of leases) await jobs.complete({ ...lease, subtasks: [] });
  });
  rows.push({
    phase: 'total',
    'requests/task': per(sum.requests),
    'AWS WU/task': per(sum.wu),
    'AWS RU/task': per(sum.ru),
    'local WU/task': per(sum.local),
    'vs naive': '',
  });

  const first = dispatches[0];
  const items = first
    ? await readJobItems(clients.dynamodb, jobsTableName, `JOB#${first.jobId}`)
    : [];
  accounting.reset();
  ledger.reset();
  for (let i = 0; i < TASKS; i++)
    await naiveTaskLifecycle(clients.dynamodb, naiveTableName, items, i);
  const naive = ledger.billedUnits();
  rows.push({
    phase: `naive: ${items.length} PutItem + 2 UpdateItem, same items`,
    'requests/task': per(accounting.total('dynamodb').requests),
    PutItem: per(accounting.requests('dynamodb', 'PutItem')),
    UpdateItem: per(accounting.requests('dynamodb', 'UpdateItem')),
    'AWS WU/task': per(naive.awsWriteUnits),
    'local WU/task': per(naive.localWriteUnits),
  });
  const total = rows.find((row) => row.phase === 'total');
  if (total) total['vs naive'] = `${fmt(sum.wu / naive.awsWriteUnits, 2)}x`;
  return {
    title: `Job store: submit → claim → complete, per task (${TASKS} single-task jobs)`,
    rows,
    checks: [
      {
        name: 'every task claimed and completed',
        pass: leases.length === TASKS,
        detail: `${leases.length} of ${TASKS}`,
      },
      {
        name: `single-task job at most ${TARGET_JOB_WRITE_UNITS} AWS-billed write units`,
        pass: sum.wu / TASKS <= TARGET_JOB_WRITE_UNITS,
        detail: `${per(sum.wu)} WU (DynamoDB Local reported ${per(sum.local)}); ${fmt(sum.wu / naive.awsWriteUnits, 2)}x the naive design`,
      },
      {
        name: `runner path at most ${TARGET_RUNNER_REQUESTS} DynamoDB requests per task`,
        pass: sum.runner / TASKS <= TARGET_RUNNER_REQUESTS,
        detail: `${per(sum.runner)} (claim + complete)`,
      },
    ],
  };
}
