import { availableParallelism } from 'node:os';
import { type BenchSection, fmt } from './harness.js';
import { openRunnerBenchSession, type StartRunners } from './support/runner-bench-session.js';
import { measureRun, submitSingleTaskJobs } from './support/runner-run.js';
import {
  operationRows,
  type RunResult,
  requestRows,
  storeCheck,
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

/**
 * Task runners on the local servers: tasks/s and submit-to-start latency
 * with the runner in the bench process (the baseline) and in 1, 2 and 4
 * runner processes, and the DynamoDB and SQS requests each task costs.
 */
export async function run(): Promise<BenchSection[]> {
  const session = await openRunnerBenchSession('runners');
  try {
    const settings = { concurrency: RUNNER_CONCURRENCY, waitSeconds: WAIT_SECONDS };
    const measure = (label: string, processes: number, startRunners: StartRunners, tasks: number) =>
      measureRun(session, {
        label,
        processes,
        startRunners,
        tasks,
        timeoutMs: RUN_TIMEOUT_MS,
        submit: (context) => submitSingleTaskJobs(context, tasks, SUBMIT_CONCURRENCY),
      });
    // DynamoDB Local's JVM and the SDK's connections warm up here, not in the baseline.
    await measure('warm-up', 0, session.inProcess(settings), WARMUP_TASKS);
    const results: RunResult[] = [
      await measure('in-process', 0, session.inProcess(settings), TASKS_PER_RUN),
    ];
    for (const count of PROCESS_COUNTS) {
      const label = `${count} process${count > 1 ? 'es' : ''}`;
      results.push(await measure(label, count, session.processes(count, settings), TASKS_PER_RUN));
    }
    return sections(results);
  } finally {
    await session.close();
  }
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
      checks: [storeCheck(results)],
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
