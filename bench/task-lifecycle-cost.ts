import type { AwsClients } from '../lambdas/adapters/aws/aws-clients.js';
import type { RequestAccounting } from '../lambdas/adapters/aws/request-accounting.js';
import { taskIdentifier } from '../lambdas/core/jobs/task-identifier.js';
import type { JobStore, Lease, TaskDispatch } from '../lambdas/core/ports/job-store.js';
import { type BenchSection, fmt } from './harness.js';
import { naiveTaskLifecycle, readJobItems } from './request-cost-fixtures.js';

const TASKS = 50;
const OPERATIONS = ['GetItem', 'BatchGetItem', 'TransactWriteItems', 'UpdateItem', 'PutItem'];

/**
 * Requests and capacity per task of submit → claim → complete through the
 * job store, compared with the same job and task items written without
 * transactions, indexes or idempotency records (2 PutItem + 3 UpdateItem).
 */
export async function measureTaskLifecycle(
  jobs: JobStore,
  accounting: RequestAccounting,
  naiveTableName: string,
  clients: AwsClients,
  jobsTableName: string,
): Promise<BenchSection> {
  const rows: Record<string, string | number>[] = [];
  const sum = { requests: 0, wu: 0, ru: 0 };
  const phase = async (label: string, act: () => Promise<void>) => {
    accounting.reset();
    await act();
    const wu = accounting.writeUnits();
    sum.requests += accounting.total('dynamodb').requests;
    sum.wu += wu;
    sum.ru += accounting.readUnits();
    rows.push({
      phase: label,
      'requests/task': fmt(accounting.total('dynamodb').requests / TASKS, 2),
      ...Object.fromEntries(
        OPERATIONS.map((op) => [op, fmt(accounting.requests('dynamodb', op) / TASKS, 2)]),
      ),
      'failed/task': fmt(accounting.total('dynamodb').errors / TASKS, 2),
      'WU/task': fmt(wu / TASKS, 2),
      'RU/task': fmt(accounting.readUnits() / TASKS, 2),
    });
    return wu;
  };

  const dispatches: TaskDispatch[] = [];
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
    'requests/task': fmt(sum.requests / TASKS, 2),
    'WU/task': fmt(sum.wu / TASKS, 2),
    'RU/task': fmt(sum.ru / TASKS, 2),
    'vs naive': '',
  });

  const first = dispatches[0];
  const items = first
    ? await readJobItems(clients.dynamodb, jobsTableName, `JOB#${first.jobId}`)
    : [];
  accounting.reset();
  for (let i = 0; i < TASKS; i++)
    await naiveTaskLifecycle(clients.dynamodb, naiveTableName, items, i);
  const naiveWu = accounting.writeUnits();
  rows.push({
    phase: 'naive: 2 PutItem + 3 UpdateItem, same items',
    'requests/task': fmt(accounting.total('dynamodb').requests / TASKS, 2),
    PutItem: fmt(accounting.requests('dynamodb', 'PutItem') / TASKS, 2),
    UpdateItem: fmt(accounting.requests('dynamodb', 'UpdateItem') / TASKS, 2),
    'WU/task': fmt(naiveWu / TASKS, 2),
  });
  const total = rows.find((row) => row.phase === 'total');
  if (total) total['vs naive'] = `${fmt(sum.wu / naiveWu, 2)}x`;
  return {
    title: `Job store: submit → claim → complete, per task (${TASKS} single-task jobs)`,
    rows,
    checks: [
      {
        name: 'every task claimed and completed',
        pass: leases.length === TASKS,
        detail: `${leases.length} of ${TASKS}`,
      },
    ],
  };
}
