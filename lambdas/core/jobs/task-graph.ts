import { InvalidTaskGraphError } from './errors.js';
import type { TaskState } from './task-state.js';

/** What release decisions need to know about one task of a job. */
export interface GraphTask {
  readonly id: string;
  /** The task that submitted this one; null for a root task of the job. */
  readonly parentId: string | null;
  /** Ids of sibling tasks (same parent, same batch) this task waits for. */
  readonly dependsOn: readonly string[];
  readonly state: TaskState;
}

/**
 * One job's tasks, indexed for release decisions. A snapshot: build a new one
 * after the records change.
 */
export interface TaskGraph {
  readonly tasks: ReadonlyMap<string, GraphTask>;
  /** Tasks by parent id (null: root tasks), in input order. */
  readonly children: ReadonlyMap<string | null, readonly GraphTask[]>;
  /** Tasks by the id of a task they depend on. */
  readonly dependents: ReadonlyMap<string, readonly GraphTask[]>;
  /** Ids of tasks that are computed together with all their subtasks, transitively. */
  readonly settled: ReadonlySet<string>;
}

/**
 * Indexes a job's tasks. Throws {@link InvalidTaskGraphError} when a parent
 * or dependency id names no task of the list, a dependency is not a sibling,
 * or parent links form a loop: those records cannot come from valid
 * submissions, and releasing around them would hang the job silently.
 *
 * @example
 * ```ts
 * const graph = buildTaskGraph([{ id: 'root', parentId: null, dependsOn: [], state: 'QUEUED' }]);
 * runnableTasks(graph); // ['root']
 * ```
 */
export function buildTaskGraph(tasks: readonly GraphTask[]): TaskGraph {
  const byId = new Map<string, GraphTask>();
  for (const task of tasks) {
    if (byId.has(task.id)) throw new InvalidTaskGraphError(`task ${task.id}: listed twice`);
    byId.set(task.id, task);
  }
  const children = new Map<string | null, GraphTask[]>();
  const dependents = new Map<string, GraphTask[]>();
  for (const task of tasks) {
    if (task.parentId !== null && !byId.has(task.parentId)) {
      throw new InvalidTaskGraphError(
        `task ${task.id}: parent '${task.parentId}' is not a task of this job`,
      );
    }
    push(children, task.parentId, task);
    for (const target of task.dependsOn) {
      const dependency = byId.get(target);
      if (!dependency) {
        throw new InvalidTaskGraphError(
          `task ${task.id}: dependsOn names '${target}', which is not a task of this job`,
        );
      }
      if (dependency.parentId !== task.parentId) {
        throw new InvalidTaskGraphError(
          `task ${task.id}: depends on '${target}', which is not a sibling (same parent)`,
        );
      }
      push(dependents, target, task);
    }
  }
  return { tasks: byId, children, dependents, settled: settledTasks(tasks, children) };
}

/**
 * Whether a task may be sent to its cluster's queue now: it is QUEUED, its
 * parent (if any) is computed, and every task it depends on is computed
 * together with all of its subtasks, transitively. Job state is not
 * considered: in a cancelled or failed job nothing is released.
 *
 * @example
 * ```ts
 * isRunnable(graph, 'print-headlines'); // false until fetch and its subtasks are computed
 * ```
 */
export function isRunnable(graph: TaskGraph, taskId: string): boolean {
  const task = graph.tasks.get(taskId);
  if (task?.state !== 'QUEUED') return false;
  if (task.parentId !== null && graph.tasks.get(task.parentId)?.state !== 'COMPUTED') return false;
  return task.dependsOn.every((target) => graph.settled.has(target));
}

/**
 * Every task that may run now (see {@link isRunnable}), in input order. For
 * job submission, job retry and the reconciler, which re-sends runnable tasks
 * whose queue message may have been lost.
 *
 * @example
 * ```ts
 * runnableTasks(buildTaskGraph(tasks)); // ids to send to their clusters' queues
 * ```
 */
export function runnableTasks(graph: TaskGraph): string[] {
  return [...graph.tasks.keys()].filter((id) => isRunnable(graph, id));
}

/**
 * The tasks that a completion makes runnable. `graph` shows the job after
 * the completion: `completedId` is COMPUTED and the subtasks it submitted are
 * present. Candidates are those subtasks and the dependents of the completed
 * task and of each ancestor whose whole subtree is now computed; of those,
 * the runnable ones are returned, each once.
 *
 * @example
 * ```ts
 * // fetch computed with subtasks s1, s2; headlines and authors depend on fetch
 * releasedByCompletion(graphAfterS2, 's2'); // ['headlines', 'authors']
 * ```
 */
export function releasedByCompletion(graph: TaskGraph, completedId: string): string[] {
  const completed = graph.tasks.get(completedId);
  if (!completed) {
    throw new InvalidTaskGraphError(`task ${completedId}: not a task of this job`);
  }
  if (completed.state !== 'COMPUTED') {
    throw new InvalidTaskGraphError(
      `task ${completedId}: is ${completed.state}, so its completion releases nothing yet`,
    );
  }
  const candidates = [...(graph.children.get(completedId) ?? [])];
  let node: GraphTask | undefined = completed;
  // A subtree that is not settled cannot make any ancestor settled either.
  while (node && graph.settled.has(node.id)) {
    candidates.push(...(graph.dependents.get(node.id) ?? []));
    node = node.parentId === null ? undefined : graph.tasks.get(node.parentId);
  }
  const released = new Set<string>();
  for (const candidate of candidates) {
    if (isRunnable(graph, candidate.id)) released.add(candidate.id);
  }
  return [...released];
}

function settledTasks(
  tasks: readonly GraphTask[],
  children: ReadonlyMap<string | null, readonly GraphTask[]>,
): Set<string> {
  // Pre-order from the roots without recursion (trees may be deep); walking it
  // backwards visits every child before its parent.
  const order: GraphTask[] = [];
  const stack = [...(children.get(null) ?? [])];
  for (let task = stack.pop(); task; task = stack.pop()) {
    order.push(task);
    stack.push(...(children.get(task.id) ?? []));
  }
  if (order.length !== tasks.length) {
    const reached = new Set(order.map((task) => task.id));
    const loop = tasks.find((task) => !reached.has(task.id));
    throw new InvalidTaskGraphError(`task ${loop?.id}: its parent links form a loop`);
  }
  const settled = new Set<string>();
  for (const task of order.reverse()) {
    const kids = children.get(task.id) ?? [];
    if (task.state === 'COMPUTED' && kids.every((kid) => settled.has(kid.id))) settled.add(task.id);
  }
  return settled;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
