import type { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDbAutomationStore } from '../../lambdas/adapters/aws/automation-store/dynamodb-automation-store.js';
import { createAwsClients, destroyAwsClients } from '../../lambdas/adapters/aws/aws-clients.js';
import { DynamoDbJobStore } from '../../lambdas/adapters/aws/job-store/dynamodb-job-store.js';
import { SqsTaskQueue } from '../../lambdas/adapters/aws/queues/sqs-task-queue.js';
import {
  type MiddlewareHost,
  type OperationCount,
  RequestAccounting,
} from '../../lambdas/adapters/aws/request-accounting.js';
import type { JobStore } from '../../lambdas/core/ports/job-store.js';
import { Client } from '../../lambdas/sdk/client.js';
import type { Connection } from '../../lambdas/sdk/connection.js';
import type { ExecutionContext } from '../../lambdas/sdk/execution-context.js';
import { powertoolsLogSink } from '../../lambdas/sdk/powertools-log-sink.js';
import { Task, type TaskClass } from '../../lambdas/sdk/task.js';
import type { LogSink } from '../../lambdas/sdk/task-logger.js';
import type { TaskRunner } from '../../lambdas/sdk/task-runner.js';

/** The trivial task every runner of the bench executes; `seq` ties a start to its submit. */
export const BENCH_TASK_IDENTIFIER = { name: 'bench/Noop', version: 'v1.0' } as const;

/** Requests one side (a runner, or the submitter) sent, as {@link RequestAccounting} counts them. */
export interface SideCounts {
  readonly requests: Record<string, OperationCount>;
  /** ReceiveMessage calls that returned no message (long polls that timed out, mostly). */
  readonly emptyReceives: number;
}

/** What a runner reports to the bench, in a worker process or in the bench process. */
export interface RunnerEvents {
  /** A ReceiveMessage brought the message of `task` (`jobId/taskId`), at epoch ms `at`. */
  onReceived(task: string, at: number): void;
  /** `execute` began for task `seq` (`task`: `jobId/taskId`), at epoch ms `at`. */
  onStarted(seq: number, at: number, task: string): void;
  /** The store accepted the completion of `task` (`jobId/taskId`). */
  onCompleted(task: string, at: number): void;
  /** Something the bench cannot recover from (a failed attempt, a worker that exited). */
  onError(message: string): void;
}

/** Settings of one bench runner; `waitSeconds` is short so that `stop()` is quick. */
export interface BenchRunnerSettings {
  readonly cluster: string;
  readonly concurrency: number;
  readonly waitSeconds: number;
}

/**
 * A {@link Client} built like `Client.fromConnection` (same adapters, same
 * defaults), but on clients the bench can count: the library has no hook for
 * that, and the bench must not change its behaviour.
 */
export interface AccountedClient {
  readonly client: Client;
  readonly queue: SqsTaskQueue;
  readonly jobs: JobStore;
  counts(): SideCounts;
  reset(): void;
  destroy(): void;
}

export function accountedClient(
  connection: Connection,
  observe: {
    readonly jobs?: (jobs: JobStore) => JobStore;
    readonly queue?: (queue: SqsTaskQueue) => SqsTaskQueue;
  } = {},
): AccountedClient {
  const clients = createAwsClients(connection.endpoints, { local: connection.kind === 'local' });
  const accounting = new RequestAccounting().attach({
    dynamodb: clients.dynamodb,
    sqs: clients.sqs,
  });
  const empty = countEmptyReceives(clients.sqs);
  const store = new DynamoDbJobStore({
    client: clients.dynamodb,
    tableName: connection.tables.jobs,
  });
  const jobs = observe.jobs ? observe.jobs(store) : store;
  const sqs = new SqsTaskQueue({
    client: clients.sqs,
    prefix: connection.taskQueuePrefix,
    partialLongPolls: connection.kind !== 'local',
  });
  const queue = observe.queue ? observe.queue(sqs) : sqs;
  const client = new Client({
    jobs,
    automations: new DynamoDbAutomationStore({
      client: clients.dynamodb,
      tableName: connection.tables.automations,
    }),
    queue,
  });
  return {
    client,
    queue,
    jobs,
    counts: () => ({ requests: accounting.snapshot(), emptyReceives: empty.count }),
    reset: () => {
      accounting.reset();
      empty.count = 0;
    },
    destroy: () => destroyAwsClients(clients),
  };
}

/** A runner on an accounted client that reports starts and completions to `events`. */
export interface BenchRunner {
  readonly runner: TaskRunner;
  readonly side: AccountedClient;
}

/**
 * Builds the runner the bench measures: `client.runner({ cluster, tasks,
 * concurrency })` with the bench task, after creating the cluster's queue
 * (so the caller can report "ready" with setup requests already reset).
 */
export async function startBenchRunner(
  connection: Connection,
  settings: BenchRunnerSettings,
  events: RunnerEvents,
): Promise<BenchRunner> {
  const side = accountedClient(connection, {
    jobs: (jobs) => observeOutcomes(jobs, events),
    queue: (queue) => observeReceives(queue, events),
  });
  const runner = side.client.runner({
    cluster: settings.cluster,
    tasks: [startReportingTask(events.onStarted)],
    concurrency: settings.concurrency,
    waitSeconds: settings.waitSeconds,
    logSink: quietLogSink,
  });
  await Promise.all(runner.routes.map((route) => side.queue.ensureRouteQueue(route)));
  side.reset();
  return { runner, side };
}

/**
 * Input of the bench task. `spawn` shapes a tree: the task submits
 * `spawn[0]` subtasks, each with `spawn.slice(1)`, so `[40, 24]` is a root
 * with 40 children of 24 leaves each. Subtasks carry `seq` -1.
 */
export interface BenchTaskInput {
  readonly seq: number;
  readonly spawn?: readonly number[];
}

/** The bench task's class: the runner registers it, the bench submits instances of it. */
export type BenchTaskClass = TaskClass & (new (input: BenchTaskInput) => Task<BenchTaskInput>);

/** The bench task: it records when it started and submits the subtasks `spawn` asks for. */
export function startReportingTask(
  onStart: (seq: number, at: number, task: string) => void,
): BenchTaskClass {
  return class BenchNoop extends Task<BenchTaskInput> {
    static override identifier = BENCH_TASK_IDENTIFIER;
    execute(context: ExecutionContext): void {
      const { id, jobId } = context.currentTask;
      onStart(this.input.seq, Date.now(), `${jobId}/${id}`);
      const [count = 0, ...rest] = this.input.spawn ?? [];
      const children = Array.from({ length: count }, () => new BenchNoop({ seq: -1, spawn: rest }));
      if (children.length > 0) context.submitSubtasks(children);
    }
  };
}

/** Per-task info lines would be the only output of a quiet runner; warnings still show. */
const loudLogSink = powertoolsLogSink();
const quietLogSink: LogSink = (record) => {
  if (record.level === 'warn' || record.level === 'error') loudLogSink(record);
};

/** Reports each completion and failure the store accepted, without changing what the store does. */
function observeOutcomes(jobs: JobStore, events: RunnerEvents): JobStore {
  return new Proxy(jobs, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (property === 'complete') {
        return async (request: Parameters<JobStore['complete']>[0]) => {
          const result = await target.complete(request);
          events.onCompleted(`${request.jobId}/${request.taskId}`, Date.now());
          return result;
        };
      }
      if (property === 'fail') {
        return async (request: Parameters<JobStore['fail']>[0]) => {
          const result = await target.fail(request);
          events.onError(`job ${request.jobId}: attempt failed: ${JSON.stringify(request.error)}`);
          return result;
        };
      }
      // The store keeps private fields: its methods must run with the store as `this`.
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Reports when each message arrived, without changing what the queue does. */
function observeReceives(queue: SqsTaskQueue, events: RunnerEvents): SqsTaskQueue {
  return new Proxy(queue, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (property === 'receive') {
        return async (...args: Parameters<SqsTaskQueue['receive']>) => {
          const received = await target.receive(...args);
          const at = Date.now();
          for (const { message } of received)
            events.onReceived(`${message.jobId}/${message.taskId}`, at);
          return received;
        };
      }
      // The queue keeps private fields: its methods must run with the queue as `this`.
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Counts ReceiveMessage calls that returned nothing; RequestAccounting counts calls only. */
function countEmptyReceives(client: SQSClient): { count: number } {
  const counter = { count: 0 };
  (client as unknown as MiddlewareHost).middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'ReceiveMessageCommand') {
        const output = result.output as { Messages?: unknown[] };
        if ((output.Messages?.length ?? 0) === 0) counter.count++;
      }
      return result;
    },
    { step: 'initialize', name: 'benchEmptyReceives' },
  );
  return counter;
}
