import { isClusterSlug, MAX_CLUSTER_SLUG_LENGTH } from '../automations/cluster-slug.js';
import { InvalidDependencyError, InvalidTaskSpecError, TooManySubtasksError } from './errors.js';
import { DEFAULT_MAX_RETRIES, MAX_RETRIES_LIMIT } from './retry-policy.js';
import { type TaskIdentifier, taskIdentifier } from './task-identifier.js';
import { serializeTaskInput } from './task-input.js';
import { describeType, textProblem } from './text-rules.js';

/** Most subtasks one task may submit (all its submissions in one execution together). */
export const MAX_SUBTASKS_PER_TASK = 64;
/** Longest display name, in characters (code points). */
export const MAX_DISPLAY_LENGTH = 1024;

/** A task as a caller submits it: as a job's root task or as a subtask. */
export interface TaskSpec {
  readonly identifier: TaskIdentifier;
  /** Plain JSON data; see `serializeTaskInput`. */
  readonly input: unknown;
  /** Shown in job views; defaults to the identifier's name. */
  readonly display?: string | undefined;
  /** Retries after failed attempts, 0 to 100. @default 0 */
  readonly maxRetries?: number | undefined;
  /** Cluster slug; undefined means the parent's cluster (or the default cluster for a root task). */
  readonly cluster?: string | undefined;
  /** Indices of tasks in the same batch that must be computed, with all their subtasks, first. */
  readonly dependsOn?: readonly number[] | undefined;
}

/** A validated {@link TaskSpec}, defaults applied and input serialized. */
export interface ValidatedTaskSpec {
  readonly identifier: TaskIdentifier;
  readonly inputJson: string;
  /** UTF-8 bytes of `inputJson`, for a store that bounds a whole batch. */
  readonly inputBytes: number;
  readonly display: string;
  readonly maxRetries: number;
  readonly cluster: string | undefined;
  /** Sorted, without duplicates. */
  readonly dependsOn: readonly number[];
}

/**
 * Validates one task's own fields: identifier, input, display, maxRetries,
 * cluster, and that `dependsOn` is an array of integers. Whether those
 * indices exist and are acyclic is a property of the batch:
 * {@link validateSubtasks} checks it.
 *
 * @example
 * ```ts
 * validateTaskSpec({ identifier: taskIdentifier('Resize', 'v1.0'), input: { key: 'a.tif' } }).display; // 'Resize'
 * ```
 */
export function validateTaskSpec(spec: TaskSpec, field = 'task'): ValidatedTaskSpec {
  const identifier = taskIdentifier(
    spec.identifier?.name,
    spec.identifier?.version,
    `${field}.identifier`,
  );
  const input = serializeTaskInput(spec.input, `${field}.input`);
  const display = validateDisplay(spec.display ?? identifier.name, `${field}.display`);
  const maxRetries = spec.maxRetries ?? DEFAULT_MAX_RETRIES;
  if (!Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > MAX_RETRIES_LIMIT) {
    throw new InvalidTaskSpecError(
      `${field}.maxRetries`,
      `must be an integer from 0 to ${MAX_RETRIES_LIMIT}, got ${String(maxRetries)}`,
      'use e.g. maxRetries: 5',
    );
  }
  const cluster = spec.cluster;
  if (cluster !== undefined && !isClusterSlug(cluster)) {
    throw new InvalidTaskSpecError(
      `${field}.cluster`,
      `${JSON.stringify(cluster)} is not a cluster slug (letters, digits, '-' and '_', at most ${MAX_CLUSTER_SLUG_LENGTH})`,
      "use the slug the cluster was created with, e.g. 'gpu-cluster'",
    );
  }
  return {
    identifier,
    inputJson: input.json,
    inputBytes: input.bytes,
    display,
    maxRetries,
    cluster,
    dependsOn: dependencyList(spec.dependsOn, `${field}.dependsOn`),
  };
}

/**
 * Checks a task's label: a string of 1 to {@link MAX_DISPLAY_LENGTH}
 * characters; line breaks (`\n`) are kept, as in Tilebox, other control
 * characters are refused. Returns it unchanged.
 *
 * @example
 * ```ts
 * validateDisplay('Resize a.tif\n3 of 9', 'display'); // 'Resize a.tif\n3 of 9'
 * ```
 */
export function validateDisplay(display: unknown, field = 'display'): string {
  const problem = textProblem(display, MAX_DISPLAY_LENGTH, { lineBreaks: true });
  if (problem) {
    throw new InvalidTaskSpecError(
      field,
      problem,
      'use a short label; separate lines with \n (no \r or tabs)',
    );
  }
  return display as string;
}

/**
 * Validates the tasks one task submits as its subtasks (or the root tasks of
 * a job): at most {@link MAX_SUBTASKS_PER_TASK}, each spec valid, and each
 * `dependsOn` index naming another task of this same batch, without cycles.
 * Dependencies cannot reach outside the batch: a task waits only for siblings
 * submitted with it, as in Tilebox.
 *
 * @example
 * ```ts
 * const fetch = { identifier: taskIdentifier('FetchNews'), input: { category: 'science' } };
 * const print = { identifier: taskIdentifier('PrintHeadlines'), input: {}, dependsOn: [0] };
 * validateSubtasks([fetch, print]); // ok
 * validateSubtasks([{ ...print, dependsOn: [1] }]); // throws InvalidDependencyError
 * ```
 */
export function validateSubtasks(
  specs: readonly TaskSpec[],
  field = 'subtasks',
): ValidatedTaskSpec[] {
  if (!Array.isArray(specs)) {
    throw new InvalidTaskSpecError(field, `must be an array of tasks, got ${describeType(specs)}`);
  }
  if (specs.length > MAX_SUBTASKS_PER_TASK) {
    throw new TooManySubtasksError(field, specs.length, MAX_SUBTASKS_PER_TASK);
  }
  const validated = specs.map((spec, index) => validateTaskSpec(spec, `${field}[${index}]`));
  validated.forEach((spec, index) => {
    spec.dependsOn.forEach((target, position) => {
      const at = `${field}[${index}].dependsOn[${position}]`;
      if (target === index) {
        throw new InvalidDependencyError(at, 'the task depends on itself', 'remove this entry');
      }
      if (target >= validated.length) {
        throw new InvalidDependencyError(
          at,
          `${target} is not an index of this batch of ${validated.length} (0 to ${validated.length - 1})`,
          'depend only on tasks submitted together with this one',
        );
      }
    });
  });
  const cycle = findCycle(validated.map((spec) => spec.dependsOn));
  if (cycle) {
    throw new InvalidDependencyError(
      `${field}[${cycle[0]}].dependsOn`,
      `the dependencies form a cycle ${cycle.join(' → ')}`,
      'a task cannot wait, directly or through others, for itself: remove one dependency',
    );
  }
  return validated;
}

function dependencyList(dependsOn: unknown, field: string): number[] {
  if (dependsOn === undefined) return [];
  if (!Array.isArray(dependsOn)) {
    throw new InvalidDependencyError(
      field,
      `must be an array of task indices, got ${describeType(dependsOn)}`,
    );
  }
  dependsOn.forEach((target, position) => {
    if (!Number.isInteger(target) || target < 0) {
      throw new InvalidDependencyError(
        `${field}[${position}]`,
        `${String(target)} is not a task index (an integer >= 0)`,
        'list the positions of other tasks in the same batch',
      );
    }
  });
  return [...new Set<number>(dependsOn)].sort((a, b) => a - b);
}

/** A cycle as a list of indices that starts and ends with the same index, or undefined. */
function findCycle(edges: readonly (readonly number[])[]): number[] | undefined {
  const state = new Array<'new' | 'open' | 'done'>(edges.length).fill('new');
  const path: number[] = [];
  // Batches hold at most 64 tasks, so recursion depth is bounded.
  const visit = (node: number): number[] | undefined => {
    state[node] = 'open';
    path.push(node);
    for (const next of edges[node] ?? []) {
      if (state[next] === 'open') return [...path.slice(path.indexOf(next)), next];
      if (state[next] === 'new') {
        const found = visit(next);
        if (found) return found;
      }
    }
    path.pop();
    state[node] = 'done';
    return undefined;
  };
  for (let node = 0; node < edges.length; node++) {
    if (state[node] === 'new') {
      const found = visit(node);
      if (found) return found;
    }
  }
  return undefined;
}
