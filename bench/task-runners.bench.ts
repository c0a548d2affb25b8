import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAwsClients, destroyAwsClients } from '../lambdas/adapters/aws/aws-clients.js';
import { ensureTable } from '../lambdas/adapters/aws/table-definition.js';
import { automationsTable } from '../lambdas/adapters/aws/tables/automations-table.js';
import { jobsTable } from '../lambdas/adapters/aws/tables/jobs-table.js';
import { type LocalServers, startLocalServers } from '../lambdas/adapters/local/local-servers.js';
import { taskRouteOf } from '../lambdas/core/jobs/task-routing.js';
import { type Connection, writeLocalConnection } from '../lambdas/sdk/connection.js';
import { type BenchSection, fmt } from './harness.js';
import {
  type AccountedClient,
  accountedClient,
  BENCH_TASK_IDENTIFIER,
  type RunnerEvents,
  startReportingTask,
} from './support/bench-runner-client.js';
import {
  type RunnerHost,
  startInProcessRunner,
  startProcessRunner,
} from './support/runner-hosts.js';
import {
  operationRows,
  percentile,
  type RunResult,
  requestRows,
  sumCounts,
} from './support/task-runner-figures.js';

/** Jobs (one trivial task each) per measured run: the whole suite takes about 90 s on 2 busy cores. */
const TASKS_PER_RUN = 200;
const WARMUP_TASKS = 30;
/** Submits in flight at once, so that submission is not what limits 4 runners. */
const SUBMIT_CONCURRENCY = 4;
/** Each runner runs one task at a time: the process count is the only variable. */
const RUNNER_CONCURRENCY = 1;
/** Long poll of the runners; short, so that stopping them is quick. */
const WAIT_SECONDS = 1;
const RUN_TIMEOUT_MS = 60_000;
const PROCESS_COUNTS = [1, 2, 4] as const;

type StartRunners = (cluster: string, events: RunnerEvents) => Promise<RunnerHost[]>;

/**
 * Task runners on the local servers: tasks/s and submit-to-start latency
 * with the runner in the bench process (the baseline) and in 1, 2 and 4
 * runner processes, and the DynamoDB and SQS requests each task costs.
 */
export async function run(): Promise<BenchSection[]> {
  const servers = await startLocalServers();
  const dataDir = await mkdtemp(join(tmpdir(), 'bucketflow-bench-runners-'));
  const hosts: RunnerHost[] = [];
  let submitter: AccountedClient | undefined;
  try {
    const connection = await benchConnection(servers, dataDir);
    submitter = accountedClient(connection);
    const side = submitter;
    const settings = (cluster: string) => ({
      cluster,
      concurrency: RUNNER_CONCURRENCY,
      waitSeconds: WAIT_SECONDS,
    });
    const track = async (started: Promise<RunnerHost[]>) => {
      const list = await started;
      hosts.push(...list);
      return list;
    };
    const inProcess: StartRunners = (cluster, events) =>
      track(startInProcessRunner(connection, settings(cluster), events).then((host) => [host]));
    const processes =
      (count: number): StartRunners =>
      (cluster, events) =>
        track(
          Promise.all(
            Array.from({ length: count }, () =>
              startProcessRunner(dataDir, settings(cluster), events),
            ),
          ),
        );

    // DynamoDB Local's JVM and the SDK's connections warm up here, not in the baseline.
    await measureRun(side, 'warm-up', 0, inProcess, WARMUP_TASKS);
    const results: RunResult[] = [
      await measureRun(side, 'in-process', 0, inProcess, TASKS_PER_RUN),
    ];
    for (const count of PROCESS_COUNTS) {
      const label = `${count} process${count > 1 ? 'es' : ''}`;
      results.push(await measureRun(side, label, count, processes(count), TASKS_PER_RUN));
    }
    return sections(results);
  } finally {
    for (const host of hosts) host.kill();
    submitter?.destroy();
    await servers.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Unique tables on the local servers, and a local.json the worker processes resolve. */
async function benchConnection(servers: LocalServers, dataDir: string): Promise<Connection> {
  const stamp = `${Date.now().toString(36)}${process.pid}`;
  const connection: Connection = {
    kind: 'local',
    endpoints: servers.endpoints,
    tables: {
      jobs: `bench-runners-jobs-${stamp}`,
      automations: `bench-runners-automations-${stamp}`,
      // Required by the connection format; runners never read the batches table.
      batches: `bench-runners-batches-${stamp}`,
    },
    taskQueuePrefix: `bench-${stamp}-`,
  };
  const clients = createAwsClients(servers.endpoints, { local: true });
  try {
    await Promise.all([
      ensureTable(clients.dynamodb, jobsTable, connection.tables.jobs),
      ensureTable(clients.dynamodb, automationsTable, connection.tables.automations),
    ]);
  } finally {
    destroyAwsClients(clients);
  }
  await writeLocalConnection(dataDir, connection);
  return connection;
}

/**
 * One run on a fresh cluster: start the runners and wait until each is
 * ready, submit `tasks` jobs, and wait until the store has accepted every
 * completion; then stop the runners and check in the store that every job
 * is COMPLETED.
 */
async function measureRun(
  submitter: AccountedClient,
  label: string,
  processes: number,
  startRunners: StartRunners,
  tasks: number,
): Promise<RunResult> {
  const { client, queue } = submitter;
  const cluster = (await client.clusters.create(`bench-${label.replace(/\W+/g, '-')}`)).slug;
  await queue.ensureRouteQueue(taskRouteOf(cluster, BENCH_TASK_IDENTIFIER));

  const startedAt = new Map<number, number>();
  const completed = new Set<string>();
  let lastCompletion = 0;
  let settle: { resolve: () => void; reject: (error: Error) => void } | undefined;
  const finished = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // Awaited below; until then a runner error must not count as an unhandled rejection.
  finished.catch(() => undefined);
  const events: RunnerEvents = {
    onStarted: (seq, at) => {
      if (!startedAt.has(seq)) startedAt.set(seq, at);
    },
    onCompleted: (jobId, at) => {
      completed.add(jobId);
      lastCompletion = Math.max(lastCompletion, at);
      if (completed.size >= tasks) settle?.resolve();
    },
    onError: (message) => settle?.reject(new Error(`${label}: ${message}`)),
  };
  const runners = await startRunners(cluster, events);
  const BenchTask = startReportingTask(() => undefined);
  submitter.reset();
  const submittedAt: number[] = [];
  const jobIds = new Set<string>();
  const firstSubmit = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: SUBMIT_CONCURRENCY }, async () => {
      while (next < tasks) {
        const seq = next++;
        submittedAt[seq] = Date.now();
        const job = await client.jobs.submit(`bench-${label}-${seq}`, new BenchTask({ seq }), {
          cluster,
        });
        jobIds.add(job.jobId);
      }
    }),
  );
  const submitMs = Date.now() - firstSubmit;
  await withTimeout(finished, RUN_TIMEOUT_MS, () => {
    return `${label}: ${completed.size} of ${tasks} tasks completed within ${RUN_TIMEOUT_MS} ms`;
  });
  const submitCounts = submitter.counts();
  const runnerCounts = sumCounts(await Promise.all(runners.map((runner) => runner.stop())));

  const page = await submitter.jobs.queryJobs({
    from: firstSubmit - 1,
    to: Date.now() + 1,
    limit: 1000,
  });
  const verified = page.jobs.filter((job) => jobIds.has(job.jobId) && job.state === 'COMPLETED');
  const latencies = submittedAt
    .map((at, seq) => (startedAt.get(seq) ?? Number.NaN) - at)
    .sort((a, b) => a - b);
  const elapsedMs = lastCompletion - firstSubmit;
  return {
    label,
    processes,
    tasks,
    elapsedMs,
    submitMs,
    tasksPerSecond: (tasks / elapsedMs) * 1000,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    maxMs: latencies.at(-1) ?? Number.NaN,
    startsSeen: startedAt.size,
    completedInStore: verified.length,
    submitCounts,
    runnerCounts,
  };
}

function sections(all: readonly RunResult[]): BenchSection[] {
  const results = all.filter((result) => result.label !== 'warm-up');
  const baseline = results.find((result) => result.processes === 0);
  const single = results.find((result) => result.processes === 1);
  const ratio = (value: number, base: number | undefined) =>
    base === undefined ? '' : `${fmt(value / base, 2)}x`;
  const tasks = results[0]?.tasks ?? 0;
  return [
    {
      title: `Task runners on the local servers: ${fmt(tasks)} jobs of one trivial task per run, runner concurrency ${RUNNER_CONCURRENCY}`,
      rows: results.map((result) => ({
        runners: result.label,
        'tasks/s': fmt(result.tasksPerSecond, 1),
        'vs 1 process': ratio(result.tasksPerSecond, single?.tasksPerSecond),
        'vs in-process': ratio(result.tasksPerSecond, baseline?.tasksPerSecond),
        'p50 start ms': fmt(result.p50Ms, 1),
        'p99 start ms': fmt(result.p99Ms, 1),
        'max start ms': fmt(result.maxMs, 1),
        'p50 vs in-process': ratio(result.p50Ms, baseline?.p50Ms),
        'p99 vs in-process': ratio(result.p99Ms, baseline?.p99Ms),
        'elapsed s': fmt(result.elapsedMs / 1000, 2),
        'submit s': fmt(result.submitMs / 1000, 2),
      })),
      checks: [
        {
          name: 'every job COMPLETED in the job store, every task started once or more',
          pass: results.every(
            (result) =>
              result.completedInStore === result.tasks && result.startsSeen === result.tasks,
          ),
          detail: results
            .map((result) => `${result.label}: ${result.completedInStore}/${result.tasks}`)
            .join(' / '),
        },
      ],
      notes: [
        `tasks/s = jobs / (last completion accepted by the store - first submit); ${SUBMIT_CONCURRENCY} submits in flight from the bench process`,
        'start latency = execute() start in the runner - the bench calling client.jobs.submit (same machine, same clock); it includes queueing behind busy runners',
        `this machine has ${availableParallelism()} cores shared by DynamoDB Local (JVM), the SQS and S3 servers, the bench and the runners: 4 processes on 2 cores are not expected to scale`,
        'the bench submits faster than the runners finish, so start latency is mostly time spent queued: it falls as runners are added only while throughput rises',
        'in-process: the runner shares the bench process (and its event loop) with the submitter; runners drop info logs, warnings still print',
        `local-aws-sqs answers a long poll only when MaxNumberOfMessages are ready or the wait (${WAIT_SECONDS} s) ends, and scans every 10 ms: with concurrency 1 a runner asks for 1 message, so a poll returns on the first`,
      ],
    },
    {
      title: 'Task runners: requests per task (runner processes and the submitting client)',
      rows: requestRows(results),
      notes: [
        'runner SQS counts every ReceiveMessage, including the long polls that found nothing (column "empty recv"), and the aborted poll at stop',
        'WU/RU: capacity DynamoDB Local reports (ReturnConsumedCapacity TOTAL), as AWS would bill it on demand',
      ],
    },
    {
      title: 'Task runners: requests per task by operation',
      rows: operationRows(results),
    },
  ];
}

async function withTimeout(
  promise: Promise<void>,
  ms: number,
  message: () => string,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  try {
    await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
