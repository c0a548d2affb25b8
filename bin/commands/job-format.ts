import { DEFAULT_CLUSTER_SLUG } from '../../lambdas/core/automations/cluster-slug.js';
import { formatTaskIdentifier } from '../../lambdas/core/jobs/task-identifier.js';
import type { StoredJob, StoredTask } from '../../lambdas/core/ports/job-store.js';
import type { WaitingTask } from '../../lambdas/sdk/client-jobs.js';
import { buildJobTree, type TreeNode } from '../../lambdas/sdk/job-tree.js';
import { formatCounts, formatFields, formatTable, formatTime, oneLine } from './cli-format.js';

/** Characters of a task error shown in a tree line; the rest is in `--json`. */
const MAX_ERROR_SHOWN = 160;
/** Cells of the progress bar of `jobs watch`. */
const BAR_WIDTH = 30;

/** Jobs as a table: id, name, state, task counts, submission time. */
export function formatJobTable(jobs: readonly StoredJob[]): string {
  return formatTable(
    ['id', 'name', 'state', 'tasks', 'submitted'],
    jobs.map((job) => [
      job.jobId,
      job.name,
      job.state,
      formatCounts(job.counts),
      formatTime(job.createdAt),
    ]),
  );
}

/**
 * One job as aligned `key: value` lines, then a `waiting` line per runnable
 * task still in its queue, saying why no runner takes it when that is known.
 */
export function formatJob(job: StoredJob, waiting: readonly WaitingTask[] = []): string {
  return formatFields([
    ['id', job.jobId],
    ['name', job.name],
    ['state', job.state],
    ['cluster', job.cluster],
    ['tasks', `${job.taskCount}: ${formatCounts(job.counts)}`],
    ['automation', job.automationId ?? '-'],
    ['submitted', formatTime(job.createdAt)],
    ['updated', formatTime(job.updatedAt)],
    ...waiting.map((task): [string, string] => [
      'waiting',
      `${formatTaskIdentifier(task.identifier)} (task ${task.taskId}) on ${task.cluster}: ${task.problem ?? 'queued for a registered runner'}`,
    ]),
  ]);
}

/**
 * The job's tasks as an indented tree, parents before their subtasks, each
 * with its state, the tasks it waits for and, when it failed, its error.
 *
 * @example
 * ```ts
 * formatJobTreeText(job, tasks); // 'job 01J… resize (COMPLETED)\n└─ Resize@v1.0 [COMPUTED]\n'
 * ```
 */
export function formatJobTreeText(job: StoredJob, tasks: readonly StoredTask[]): string {
  const tree = buildJobTree(job, tasks, { maxTasks: Math.max(tasks.length, 1) });
  const byId = new Map(tasks.map((task) => [task.taskId, task]));
  const waitsFor = new Map<number, string[]>();
  for (const [dependency, dependent] of tree.dependencies) {
    const list = waitsFor.get(dependent.index) ?? [];
    list.push(oneLine(dependency.task.display));
    waitsFor.set(dependent.index, list);
  }
  const lines = [`job ${job.jobId} ${job.name} (${job.state}: ${formatCounts(job.counts)})`];
  const visit = (node: TreeNode, prefix: string, last: boolean) => {
    const task = byId.get(node.task.taskId) as StoredTask;
    lines.push(`${prefix}${last ? '└─ ' : '├─ '}${taskLine(task, waitsFor.get(node.index))}`);
    const childPrefix = `${prefix}${last ? '   ' : '│  '}`;
    node.children.forEach((child, position) => {
      visit(child, childPrefix, position === node.children.length - 1);
    });
  };
  tree.roots.forEach((root, position) => {
    visit(root, '', position === tree.roots.length - 1);
  });
  return lines.map((line) => `${line}\n`).join('');
}

function taskLine(task: StoredTask, waitsFor: readonly string[] | undefined): string {
  const identifier = formatTaskIdentifier(task.identifier);
  const label =
    task.display === task.identifier.name ? identifier : `${oneLine(task.display)} (${identifier})`;
  const parts = [`${label} [${task.state}]`];
  if (task.cluster !== DEFAULT_CLUSTER_SLUG) parts.push(`on ${task.cluster}`);
  if (waitsFor !== undefined) parts.push(`after ${waitsFor.join(', ')}`);
  if (task.state === 'FAILED' && task.lastError) parts.push(`error: ${shorten(task.lastError)}`);
  return parts.join('  ');
}

function shorten(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > MAX_ERROR_SHOWN ? `${line.slice(0, MAX_ERROR_SHOWN - 1)}…` : line;
}

/**
 * The line `jobs watch` shows: a bar of computed tasks (`#`), failed or
 * cancelled ones (`x`) and the rest (`-`), then the counts and the job state.
 *
 * @example
 * ```ts
 * progressLine(job); // '[###############---------------] 1/2 computed  1 running  STARTED'
 * ```
 */
export function progressLine(job: StoredJob): string {
  const { counts } = job;
  const total = Math.max(job.taskCount, 1);
  const done = Math.round((counts.COMPUTED / total) * BAR_WIDTH);
  const broken = Math.min(
    BAR_WIDTH - done,
    Math.round(((counts.FAILED + counts.CANCELLED) / total) * BAR_WIDTH),
  );
  const bar = `${'#'.repeat(done)}${'x'.repeat(broken)}${'-'.repeat(BAR_WIDTH - done - broken)}`;
  const others = (['RUNNING', 'QUEUED', 'FAILED', 'CANCELLED'] as const)
    .filter((state) => counts[state] > 0)
    .map((state) => `${counts[state]} ${state.toLowerCase()}`);
  return [`[${bar}] ${counts.COMPUTED}/${job.taskCount} computed`, ...others, job.state].join('  ');
}
