import { mapConcurrent } from '../../lambdas/core/collections.js';
import { taskRouteOf } from '../../lambdas/core/jobs/task-routing.js';
import type { Client } from '../../lambdas/sdk/client.js';
import {
  type AccountedClient,
  BENCH_TASK_IDENTIFIER,
  type BenchTaskClass,
  type RunnerEvents,
  startReportingTask,
} from './bench-runner-client.js';
import { ownCpuMs, processCpuMs } from './process-cpu.js';
import type { RunnerBenchSession, StartRunners } from './runner-bench-session.js';
import { percentile, type RunResult, type StartPhases, sumCounts } from './task-runner-figures.js';

const DEFAULT_RUN_TIMEOUT_MS = 60_000;
/** Store reads in flight while verifying a run. */
const VERIFY_CONCURRENCY = 8;

/** What a run's submit step gets: the client, the run's cluster, and the run's bookkeeping. */
export interface SubmitContext {
  readonly client: Client;
  readonly cluster: string;
  readonly BenchTask: BenchTaskClass;
  /** Submits a job of `task` and records it (for `seq` >= 0, its submit time too). */
  submit(seq: number, task: InstanceType<BenchTaskClass>): Promise<void>;
  /** Resolves once `count` tasks of the run have completed in the store. */
  completions(count: number): Promise<void>;
}

/** One measured run: its runners, how it submits, and how many tasks that makes. */
export interface RunPlan {
  readonly label: string;
  /** Runner processes; 0 for the runner in the bench process. */
  readonly processes: number;
  readonly startRunners: StartRunners;
  /** Tasks the run completes, subtasks included. */
  readonly tasks: number;
  submit(context: SubmitContext): Promise<void>;
  readonly timeoutMs?: number;
}

/**
 * One run on a fresh cluster: start the runners and wait until each is
 * ready, submit, and wait until the store has accepted every task's
 * completion; then stop the runners and check in the store that every job
 * is COMPLETED and every task COMPUTED.
 */
export async function measureRun(
  session: Pick<RunnerBenchSession, 'submitter' | 'dynamoDbPid'>,
  plan: RunPlan,
): Promise<RunResult> {
  const { submitter } = session;
  const { client, queue } = submitter;
  const { label, tasks } = plan;
  const cluster = (await client.clusters.create(`bench-${label.replace(/\W+/g, '-')}`)).slug;
  await queue.ensureRouteQueue(taskRouteOf(cluster, BENCH_TASK_IDENTIFIER));

  const progress = new RunProgress(label);
  const runners = await plan.startRunners(cluster, progress.events);
  const BenchTask = startReportingTask(() => undefined);
  submitter.reset();
  const cpuBefore = { dynamodb: await processCpuMs(session.dynamoDbPid), bench: ownCpuMs() };
  const submittedAt = new Map<number, { at: number; returned: number }>();
  const jobIds = new Set<string>();
  const firstSubmit = Date.now();
  let submitMs = 0;
  const submitting = plan
    .submit({
      client,
      cluster,
      BenchTask,
      submit: async (seq, task) => {
        const at = Date.now();
        const job = await client.jobs.submit(`bench-${label}-${seq}`, task, { cluster });
        if (seq >= 0) submittedAt.set(seq, { at, returned: Date.now() });
        jobIds.add(job.jobId);
      },
      completions: (count) => progress.reached(count),
    })
    .then(() => {
      submitMs = Date.now() - firstSubmit;
    });
  const timeoutMs = plan.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS;
  await withTimeout(Promise.all([submitting, progress.reached(tasks)]), timeoutMs, () => {
    return `${label}: ${progress.completed.size} of ${tasks} tasks completed within ${timeoutMs} ms`;
  });
  const submitCounts = submitter.counts();
  const cpuAfter = { dynamodb: await processCpuMs(session.dynamoDbPid), bench: ownCpuMs() };
  const stopped = await Promise.all(runners.map((runner) => runner.stop()));
  const runnerCounts = sumCounts(stopped.map((runner) => runner.counts));
  const store = await verify(submitter, jobIds, firstSubmit);
  const latencies = [...submittedAt]
    .map(([seq, submitted]) => (progress.startedAt.get(seq)?.at ?? Number.NaN) - submitted.at)
    .sort((a, b) => a - b);
  const phases = startPhases(submittedAt, progress);
  const elapsedMs = progress.lastCompletion - firstSubmit;
  return {
    label,
    processes: plan.processes,
    tasks,
    jobs: jobIds.size,
    elapsedMs,
    submitMs,
    tasksPerSecond: (tasks / elapsedMs) * 1000,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    maxMs: latencies.at(-1) ?? Number.NaN,
    phases,
    startsSeen: progress.started.size,
    completedInStore: store.completedJobs,
    computedInStore: store.computedTasks,
    submitCounts,
    runnerCounts,
    cpuMs: {
      dynamodb: cpuAfter.dynamodb - cpuBefore.dynamodb,
      bench: cpuAfter.bench - cpuBefore.bench,
      runners: stopped.reduce((sum, runner) => sum + runner.cpuMs, 0),
    },
  };
}

/** `tasks` single-task jobs (`seq` 0 to tasks - 1), with `inFlight` submits under way at once. */
export async function submitSingleTaskJobs(
  context: SubmitContext,
  tasks: number,
  inFlight: number,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < tasks) {
        const seq = next++;
        await context.submit(seq, new context.BenchTask({ seq }));
      }
    }),
  );
}

/** Starts and completions the runners report, and waiters on the completion count. */
class RunProgress {
  /** First `execute` start per submitted `seq`, and the task it started. */
  readonly startedAt = new Map<number, { readonly at: number; readonly task: string }>();
  /** First receive per task (`jobId/taskId`). */
  readonly receivedAt = new Map<string, number>();
  readonly started = new Set<string>();
  readonly completed = new Set<string>();
  lastCompletion = 0;
  readonly events: RunnerEvents;
  #waiters: Array<{ count: number; resolve: () => void; reject: (error: Error) => void }> = [];
  #failure: Error | undefined;

  constructor(label: string) {
    this.events = {
      onReceived: (task, at) => {
        if (!this.receivedAt.has(task)) this.receivedAt.set(task, at);
      },
      onStarted: (seq, at, task) => {
        this.started.add(task);
        if (seq >= 0 && !this.startedAt.has(seq)) this.startedAt.set(seq, { at, task });
      },
      onCompleted: (task, at) => {
        this.completed.add(task);
        this.lastCompletion = Math.max(this.lastCompletion, at);
        this.#settle();
      },
      onError: (message) => {
        this.#failure ??= new Error(`${label}: ${message}`);
        this.#settle();
      },
    };
  }

  reached(count: number): Promise<void> {
    const reached = new Promise<void>((resolve, reject) => {
      this.#waiters.push({ count, resolve, reject });
    });
    this.#settle();
    return reached;
  }

  #settle(): void {
    const waiting = [];
    for (const waiter of this.#waiters) {
      if (this.#failure) waiter.reject(this.#failure);
      else if (this.completed.size >= waiter.count) waiter.resolve();
      else waiting.push(waiter);
    }
    this.#waiters = waiting;
  }
}

/** Submit to start, split where the bench can see it: the submit call, the queue, the runner. */
function startPhases(
  submittedAt: ReadonlyMap<number, { readonly at: number; readonly returned: number }>,
  progress: RunProgress,
): StartPhases {
  const submit: number[] = [];
  const delivery: number[] = [];
  const claim: number[] = [];
  for (const [seq, submitted] of submittedAt) {
    const started = progress.startedAt.get(seq);
    const received = started && progress.receivedAt.get(started.task);
    if (!started || received === undefined) continue;
    submit.push(submitted.returned - submitted.at);
    delivery.push(received - submitted.returned);
    claim.push(started.at - received);
  }
  const spread = (values: number[]) => {
    const sorted = values.sort((a, b) => a - b);
    return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
  };
  return { submit: spread(submit), delivery: spread(delivery), claim: spread(claim) };
}

/** Jobs COMPLETED and tasks COMPUTED in the store, of the jobs this run submitted. */
async function verify(
  submitter: AccountedClient,
  jobIds: ReadonlySet<string>,
  from: number,
): Promise<{ completedJobs: number; computedTasks: number }> {
  let completedJobs = 0;
  let cursor: string | undefined;
  do {
    const page = await submitter.jobs.queryJobs({
      from: from - 1,
      to: Date.now() + 1,
      limit: 1000,
      cursor,
    });
    completedJobs += page.jobs.filter(
      (job) => jobIds.has(job.jobId) && job.state === 'COMPLETED',
    ).length;
    cursor = page.nextCursor;
  } while (cursor);
  const computed = await mapConcurrent([...jobIds], VERIFY_CONCURRENCY, async (jobId) => {
    const tasks = await submitter.jobs.listTasks(jobId);
    return tasks.filter((task) => task.state === 'COMPUTED').length;
  });
  return { completedJobs, computedTasks: computed.reduce((sum, count) => sum + count, 0) };
}

export async function withTimeout(
  promise: Promise<unknown>,
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
