import { availableParallelism } from 'node:os';
import type { OperationCount } from '../../lambdas/adapters/aws/request-accounting.js';
import { DYNAMODB_WRITES as WRITES } from '../dynamodb-item-ledger.js';
import { fmt } from '../harness.js';
import type { SideCounts } from './bench-runner-client.js';
import type { RunCpu } from './process-cpu.js';

/** The figures of one measured run (bench/support/runner-run.ts). */
export interface RunResult {
  readonly label: string;
  /** Runner processes; 0 for the runner in the bench process. */
  readonly processes: number;
  /** Tasks completed, subtasks included. */
  readonly tasks: number;
  readonly jobs: number;
  readonly elapsedMs: number;
  readonly submitMs: number;
  readonly tasksPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly phases: StartPhases;
  /** Distinct tasks whose `execute` the runners reported starting. */
  readonly startsSeen: number;
  /** Jobs of the run that are COMPLETED in the store. */
  readonly completedInStore: number;
  /** Tasks of the run's jobs that are COMPUTED in the store. */
  readonly computedInStore: number;
  readonly submitCounts: SideCounts;
  /** Summed over the run's runners. */
  readonly runnerCounts: SideCounts;
  /** CPU the run cost, by process (runner processes: from ready to stopped). */
  readonly cpuMs: RunCpu;
}

/** Percentiles of one phase of submit to start, in ms. */
export interface PhaseSpread {
  readonly p50: number;
  readonly p99: number;
}

/**
 * Submit to start in three phases: the submit call (DynamoDB write and
 * SendMessageBatch), the queue (submit returned to ReceiveMessage returned
 * in the runner: the server's long-poll answer), and the runner (receive to
 * `execute`: the claim and what precedes `execute`).
 */
export interface StartPhases {
  readonly submit: PhaseSpread;
  readonly delivery: PhaseSpread;
  readonly claim: PhaseSpread;
}

/** CPU ms per task, by process: where a run's time goes on a machine whose cores it shares. */
export function cpuRows(results: readonly RunResult[]): Record<string, string | number>[] {
  return results.map((result) => {
    const per = (ms: number) => fmt(ms / result.tasks, 2);
    const { dynamodb, bench, runners } = result.cpuMs;
    const seconds = result.elapsedMs / 1000;
    return {
      run: result.label,
      'DynamoDB Local ms/task': per(dynamodb),
      'bench process ms/task': per(bench),
      'runner processes ms/task': per(runners),
      'DynamoDB Local cores': fmt(dynamodb / 1000 / seconds, 2),
      'all cores': fmt((dynamodb + bench + runners) / 1000 / seconds, 2),
      // What the cores could do if these processes had them to themselves and CPU were the limit.
      'CPU ceiling tasks/s': fmt(
        (availableParallelism() * 1000 * result.tasks) / (dynamodb + bench + runners),
        0,
      ),
    };
  });
}

/** The check row every runner bench prints: the store holds every job COMPLETED, every task COMPUTED. */
export function storeCheck(results: readonly RunResult[]): {
  name: string;
  pass: boolean;
  detail: string;
} {
  return {
    name: 'every job COMPLETED and every task COMPUTED in the job store, every task started once or more',
    pass: results.every(
      (result) =>
        result.completedInStore === result.jobs &&
        result.computedInStore === result.tasks &&
        result.startsSeen === result.tasks,
    ),
    detail: results
      .map(
        (result) =>
          `${result.label}: jobs ${result.completedInStore}/${result.jobs}, tasks ${result.computedInStore}/${result.tasks}`,
      )
      .join(' / '),
  };
}

/** Nearest-rank percentile of ascending `sorted`. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

/** The requests of several runners, added up per operation. */
export function sumCounts(all: readonly SideCounts[]): SideCounts {
  const requests: Record<string, OperationCount> = {};
  let emptyReceives = 0;
  for (const counts of all) {
    emptyReceives += counts.emptyReceives;
    for (const [key, value] of Object.entries(counts.requests)) {
      const sum = requests[key] ?? { requests: 0, errors: 0, capacityUnits: 0 };
      requests[key] = sum;
      sum.requests += value.requests;
      sum.errors += value.errors;
      sum.capacityUnits += value.capacityUnits;
    }
  }
  return { requests, emptyReceives };
}

/** Per-task totals per run: DynamoDB and SQS, runner side and submit side. */
export function requestRows(results: readonly RunResult[]): Record<string, string | number>[] {
  return results.map((result) => {
    const per = (value: number) => fmt(value / result.tasks, 2);
    const runner = result.runnerCounts.requests;
    const submit = result.submitCounts.requests;
    const runnerDdb = total(runner, 'dynamodb');
    const submitDdb = total(submit, 'dynamodb');
    const runnerSqs = total(runner, 'sqs');
    const submitSqs = total(submit, 'sqs');
    return {
      runners: result.label,
      'DDB/task': per(runnerDdb + submitDdb),
      'runner DDB': per(runnerDdb),
      'submit DDB': per(submitDdb),
      'failed DDB': per(total(runner, 'dynamodb', 'errors') + total(submit, 'dynamodb', 'errors')),
      'WU/task': per(capacity(runner, WRITES) + capacity(submit, WRITES)),
      'RU/task': per(
        total(runner, 'dynamodb', 'capacityUnits') +
          total(submit, 'dynamodb', 'capacityUnits') -
          capacity(runner, WRITES) -
          capacity(submit, WRITES),
      ),
      'SQS/task': per(runnerSqs + submitSqs),
      'runner SQS': per(runnerSqs),
      receives: per(runner['sqs:ReceiveMessage']?.requests ?? 0),
      'empty recv': per(result.runnerCounts.emptyReceives),
      'submit SQS': per(submitSqs),
    };
  });
}

/** One row per `side service:Operation`, one column per run, in requests per task. */
export function operationRows(results: readonly RunResult[]): Record<string, string | number>[] {
  const keys = new Set<string>();
  for (const result of results) {
    for (const key of Object.keys(result.runnerCounts.requests)) keys.add(`runner ${key}`);
    for (const key of Object.keys(result.submitCounts.requests)) keys.add(`submit ${key}`);
  }
  return [...keys].sort().map((key) => {
    const [side, operation = ''] = key.split(' ');
    const row: Record<string, string | number> = { request: key };
    for (const result of results) {
      const counts = side === 'runner' ? result.runnerCounts : result.submitCounts;
      row[result.label] = fmt((counts.requests[operation]?.requests ?? 0) / result.tasks, 2);
    }
    return row;
  });
}

function total(
  requests: Readonly<Record<string, OperationCount>>,
  service: string,
  field: keyof OperationCount = 'requests',
): number {
  let sum = 0;
  for (const [key, value] of Object.entries(requests)) {
    if (key.startsWith(`${service}:`)) sum += value[field];
  }
  return sum;
}

function capacity(
  requests: Readonly<Record<string, OperationCount>>,
  operations: ReadonlySet<string>,
): number {
  let sum = 0;
  for (const [key, value] of Object.entries(requests)) {
    const [service, operation = ''] = key.split(':');
    if (service === 'dynamodb' && operations.has(operation)) sum += value.capacityUnits;
  }
  return sum;
}
