import { availableParallelism, loadavg } from 'node:os';
import { type BenchSection, fmt } from './harness.js';
import {
  openRunnerBenchSession,
  type RunnerBenchSession,
  type StartRunners,
} from './support/runner-bench-session.js';
import { measureRun, type SubmitContext, submitSingleTaskJobs } from './support/runner-run.js';
import {
  cpuRows,
  operationRows,
  type PhaseSpread,
  type RunResult,
  requestRows,
  storeCheck,
} from './support/task-runner-figures.js';

/** Issue 13, item 8: the runner this suite measures runs 8 tasks at once. */
const RUNNER_CONCURRENCY = 8;
/** Long poll of the runners; short, so that stopping them is quick. */
const WAIT_SECONDS = 1;
/** Jobs of the idle-runner latency runs, submitted one at a time. */
const IDLE_JOBS = 100;
/** Pause after a job finished before the next submit: the runner is back in its long poll by then. */
const IDLE_GAP_MS = 100;
/** Single-task jobs of the throughput run, and submits in flight while it submits them. */
const THROUGHPUT_JOBS = 1000;
const THROUGHPUT_SUBMITS_IN_FLIGHT = 8;
/** One job: a root with 40 children of 24 leaves each, 1,000 subtasks (a task may submit 64). */
const TREE_SHAPE = [40, 24] as const;
const TREE_TASKS = 1 + TREE_SHAPE[0] + TREE_SHAPE[0] * TREE_SHAPE[1];
const WARMUP_JOBS = 50;
const RUN_TIMEOUT_MS = 120_000;
/** Issue 13, item 8: the goals. */
const GOALS = { p50Ms: 25, p99Ms: 80, tasksPerSecond: 120 } as const;
/** The figures of today, for the notes. */
const TODAY = 'today: p50 23-26 ms, p99 59-62 ms; 58-65 tasks/s';

/**
 * Dispatch speed on the local servers at runner concurrency 8: submit to
 * `execute()` start on an idle runner (a runner process, and the runner in
 * the bench process as the baseline), and tasks/s for 1,000 single-task
 * jobs and for one job of 1,000 subtasks, with the requests each task costs.
 */
export async function run(): Promise<BenchSection[]> {
  const session = await openRunnerBenchSession('dispatch');
  const loadBefore = loadavg();
  try {
    const settings = { concurrency: RUNNER_CONCURRENCY, waitSeconds: WAIT_SECONDS };
    const oneProcess = session.processes(1, settings);
    // DynamoDB Local's JVM and the SDK's connections warm up here, not in the figures.
    await throughputRun(session, 'warm-up', session.inProcess(settings), WARMUP_JOBS);
    const latency = [
      await idleRun(session, 'idle, in-process', 0, session.inProcess(settings)),
      await idleRun(session, 'idle, 1 process', 1, oneProcess),
    ];
    const throughput = [
      await throughputRun(session, '1,000 jobs, 1 process', oneProcess, THROUGHPUT_JOBS),
      await treeRun(session, '1 job of 1,000 subtasks, 1 process', oneProcess),
    ];
    return sections(latency, throughput, [loadBefore, loadavg()]);
  } finally {
    await session.close();
  }
}

/** {@link IDLE_JOBS} single-task jobs, each submitted once the previous one finished and the runner idled. */
function idleRun(
  session: RunnerBenchSession,
  label: string,
  processes: number,
  startRunners: StartRunners,
): Promise<RunResult> {
  return measureRun(session, {
    label,
    processes,
    startRunners,
    tasks: IDLE_JOBS,
    timeoutMs: RUN_TIMEOUT_MS,
    submit: async (context: SubmitContext) => {
      for (let seq = 0; seq < IDLE_JOBS; seq++) {
        await sleep(IDLE_GAP_MS);
        await context.submit(seq, new context.BenchTask({ seq }));
        await context.completions(seq + 1);
      }
    },
  });
}

function throughputRun(
  session: RunnerBenchSession,
  label: string,
  startRunners: StartRunners,
  jobs: number,
): Promise<RunResult> {
  return measureRun(session, {
    label,
    processes: 1,
    startRunners,
    tasks: jobs,
    timeoutMs: RUN_TIMEOUT_MS,
    submit: (context) => submitSingleTaskJobs(context, jobs, THROUGHPUT_SUBMITS_IN_FLIGHT),
  });
}

function treeRun(
  session: RunnerBenchSession,
  label: string,
  startRunners: StartRunners,
): Promise<RunResult> {
  return measureRun(session, {
    label,
    processes: 1,
    startRunners,
    tasks: TREE_TASKS,
    timeoutMs: RUN_TIMEOUT_MS,
    submit: (context) => context.submit(0, new context.BenchTask({ seq: 0, spawn: TREE_SHAPE })),
  });
}

function sections(
  latency: readonly RunResult[],
  throughput: readonly RunResult[],
  load: readonly (readonly number[])[],
): BenchSection[] {
  const all = [...latency, ...throughput];
  const loads = load.map((avg) => avg.map((value) => fmt(value, 2)).join(' ')).join(' -> ');
  const machine = `${availableParallelism()} cores shared by DynamoDB Local (JVM), the SQS and S3 servers, the bench and the runner; load average (1, 5, 15 min) ${loads}`;
  return [
    {
      title: `Dispatch speed: submit to execute() start on an idle runner, ${IDLE_JOBS} single-task jobs one at a time, runner concurrency ${RUNNER_CONCURRENCY}`,
      rows: latency.map((result) => ({
        runner: result.label,
        'p50 start ms': fmt(result.p50Ms, 1),
        'p99 start ms': fmt(result.p99Ms, 1),
        'max start ms': fmt(result.maxMs, 1),
        'submit p50/p99': phase(result.phases.submit),
        'queue p50/p99': phase(result.phases.delivery),
        'receive to start p50/p99': phase(result.phases.claim),
      })),
      checks: [
        ...latency.map((result) => ({
          name: `${result.label}: p50 <= ${GOALS.p50Ms} ms and p99 <= ${GOALS.p99Ms} ms`,
          pass: result.p50Ms <= GOALS.p50Ms && result.p99Ms <= GOALS.p99Ms,
          detail: `p50 ${fmt(result.p50Ms, 1)} ms, p99 ${fmt(result.p99Ms, 1)} ms`,
        })),
        storeCheck(latency),
      ],
      notes: [
        `each job is submitted ${IDLE_GAP_MS} ms after the previous one completed in the store, so the runner is in its long poll (${WAIT_SECONDS} s) when it arrives`,
        "start latency = execute() start in the runner - the bench calling client.jobs.submit (same machine, same clock), in three phases (ms): submit = the submit call (PutItem of the job with its inline root, SendMessageBatch); queue = submit returned to the runner's ReceiveMessage returning it (local-aws-sqs scans for messages every 10 ms); receive to start = the claim (one UpdateItem) and the runner's own work before execute()",
        TODAY,
        machine,
      ],
    },
    {
      title: `Dispatch speed: tasks/s at runner concurrency ${RUNNER_CONCURRENCY}, one runner process`,
      rows: throughput.map((result) => ({
        run: result.label,
        tasks: fmt(result.tasks),
        'tasks/s': fmt(result.tasksPerSecond, 1),
        'elapsed s': fmt(result.elapsedMs / 1000, 2),
        'submit s': fmt(result.submitMs / 1000, 2),
      })),
      checks: [
        ...throughput.map((result) => ({
          name: `${result.label}: >= ${GOALS.tasksPerSecond} tasks/s (2x today's 58-65)`,
          pass: result.tasksPerSecond >= GOALS.tasksPerSecond,
          detail: `${fmt(result.tasksPerSecond, 1)} tasks/s`,
        })),
        storeCheck(throughput),
      ],
      notes: [
        `tasks/s = tasks / (last completion accepted by the store - first submit); ${THROUGHPUT_SUBMITS_IN_FLIGHT} submits in flight from the bench process for the 1,000 jobs`,
        `the job of 1,000 subtasks: one root task that submits ${TREE_SHAPE[0]} subtasks, each of which submits ${TREE_SHAPE[1]} (a task may submit at most 64): ${fmt(TREE_TASKS)} tasks, all on one route queue`,
        TODAY,
        machine,
      ],
    },
    {
      title: 'Dispatch speed: requests per task (runner and submitting client)',
      rows: requestRows(all),
      notes: [
        'runner SQS counts every ReceiveMessage, including the long polls that found nothing (column "empty recv"); the idle runs are mostly those',
      ],
    },
    { title: 'Dispatch speed: requests per task by operation', rows: operationRows(all) },
    {
      title: 'Dispatch speed: CPU per task by process (where the time goes)',
      rows: cpuRows(all),
      notes: [
        'CPU = user + system time over the run (DynamoDB Local from /proc, the runner processes from ready to stopped); "cores" = CPU time / elapsed time',
        'CPU ceiling = cores x 1000 / (CPU ms per task of all three): the tasks/s these processes could reach with the whole machine to themselves, CPU being the limit',
        machine,
      ],
    },
  ];
}

function phase(spread: PhaseSpread): string {
  return `${fmt(spread.p50, 0)} / ${fmt(spread.p99, 0)}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
