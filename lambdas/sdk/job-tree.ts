import { InvalidTaskGraphError } from '../core/jobs/errors.js';
import type { JobRecord, TaskRecord } from '../core/jobs/records.js';
import { VisualizationTooLargeError } from './errors.js';

/** Most tasks a job diagram shows by default; larger diagrams stop being legible. */
export const MAX_VISUALIZED_TASKS = 200;

/** The parts of a job a diagram shows. */
export type VisualJob = Pick<JobRecord, 'jobId' | 'name' | 'state' | 'rootTaskIds'>;
/** The parts of a task a diagram shows. */
export type VisualTask = Pick<
  TaskRecord,
  'taskId' | 'parentId' | 'display' | 'state' | 'dependsOn' | 'createdAt'
>;

/** A task placed in the job tree. */
export interface TreeNode {
  readonly task: VisualTask;
  /** Position in depth-first (pre-order) order; also the node's id in diagrams. */
  readonly index: number;
  readonly depth: number;
  readonly children: readonly TreeNode[];
}

/** A job's tasks as a forest: parents before their subtasks, siblings by creation. */
export interface JobTree {
  readonly roots: readonly TreeNode[];
  /** Every node, depth-first. */
  readonly nodes: readonly TreeNode[];
  /** Dependency edges `[dependency, dependent]`, in the order of the dependents. */
  readonly dependencies: readonly (readonly [TreeNode, TreeNode])[];
}

/** Options of the job diagrams. */
export interface VisualizationOptions {
  /** @default 200 */
  readonly maxTasks?: number | undefined;
}

/**
 * Arranges a job's tasks as a forest, independent of the order of `tasks`:
 * roots in the job's `rootTaskIds` order, then other parentless tasks; the
 * subtasks of a task by creation time, then id. A task whose parent is not in
 * the list shows as a root, and dependencies on absent tasks are left out,
 * so a partly loaded job still draws.
 *
 * @example
 * ```ts
 * buildJobTree(job, tasks).nodes.map((node) => node.task.display); // ['Root', 'Leaf 1', 'Leaf 2']
 * ```
 */
export function buildJobTree(
  job: VisualJob,
  tasks: readonly VisualTask[],
  options: VisualizationOptions = {},
): JobTree {
  const maxTasks = options.maxTasks ?? MAX_VISUALIZED_TASKS;
  if (tasks.length > maxTasks) {
    throw new VisualizationTooLargeError(
      'tasks',
      `the job has ${tasks.length} tasks, more than the ${maxTasks} a diagram shows`,
      `pass { maxTasks: ${tasks.length} } to draw it anyway`,
    );
  }
  const byId = new Map<string, VisualTask>();
  for (const task of tasks) {
    if (byId.has(task.taskId)) throw new InvalidTaskGraphError(`task ${task.taskId}: listed twice`);
    byId.set(task.taskId, task);
  }
  const children = new Map<string, VisualTask[]>();
  const parentless: VisualTask[] = [];
  for (const task of [...tasks].sort(byCreation)) {
    const siblings = task.parentId !== null ? children.get(task.parentId) : undefined;
    if (task.parentId !== null && byId.has(task.parentId)) {
      if (siblings) siblings.push(task);
      else children.set(task.parentId, [task]);
    } else parentless.push(task);
  }
  const rank = new Map(job.rootTaskIds.map((id, position) => [id, position]));
  parentless.sort(
    (a, b) =>
      (rank.get(a.taskId) ?? Number.MAX_SAFE_INTEGER) -
        (rank.get(b.taskId) ?? Number.MAX_SAFE_INTEGER) || byCreation(a, b),
  );

  const nodes: TreeNode[] = [];
  const placed = new Set<string>();
  const visit = (task: VisualTask, depth: number): TreeNode => {
    placed.add(task.taskId);
    const node = { task, index: nodes.length, depth, children: [] as TreeNode[] };
    nodes.push(node);
    for (const child of children.get(task.taskId) ?? []) {
      if (!placed.has(child.taskId)) node.children.push(visit(child, depth + 1));
    }
    return node;
  };
  const roots = parentless.map((task) => visit(task, 0));
  // Parent links that loop (corrupt records) leave tasks no root reaches: show them as roots.
  for (const task of [...tasks].sort(byCreation)) {
    if (!placed.has(task.taskId)) roots.push(visit(task, 0));
  }

  const nodeById = new Map(nodes.map((node) => [node.task.taskId, node]));
  const dependencies: [TreeNode, TreeNode][] = [];
  for (const node of nodes) {
    for (const id of [...node.task.dependsOn].sort()) {
      const dependency = nodeById.get(id);
      if (dependency) dependencies.push([dependency, node]);
    }
  }
  return { roots, nodes, dependencies };
}

function byCreation(a: VisualTask, b: VisualTask): number {
  return a.createdAt - b.createdAt || (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0);
}
