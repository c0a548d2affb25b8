import { ValidationError } from '../core/errors.js';
import { Task, type TaskClass } from './task.js';

/**
 * The task classes a module offers a runner: its exported `tasks` array when
 * it has one (then exactly those), otherwise every exported class that
 * extends `Task` and implements `execute` (so re-exported SDK bases such as
 * `CronTask` and the module's own abstract bases are left out). One rule for
 * `bucketflow runner --tasks`, `bucketflow dev` and the Lambda runners that
 * TaskRunnerFunction bundles from a cluster's task modules.
 *
 * @throws ValidationError under `field` when the module offers no task class.
 * @example
 * ```ts
 * import * as tasks from './tasks.js';
 * const classes = taskClassesOf(tasks, 'tasks.ts');
 * ```
 */
export function taskClassesOf(exports: Record<string, unknown>, field: string): TaskClass[] {
  const classes = listedOrExported(exports, field);
  const foreign = Object.entries(exports).filter(([, value]) => isForeignTaskClass(value));
  if (classes.length === 0 && foreign.length > 0) {
    throw new ValidationError(
      field,
      `exports ${foreign.map(([name]) => name).join(', ')}, extending a different copy of Task than the runner's (the module was loaded as CommonJS, or bucketflow is installed twice)`,
      'make the module ESM (name it .mts, or set "type": "module" in its package.json) and import Task from the bucketflow the runner uses',
    );
  }
  if (classes.length === 0) {
    throw new ValidationError(
      field,
      'exports no task classes',
      'export your classes that extend Task, CronTask, StorageEventTask or BatchTask, or export const tasks = [MyTask, ...]',
    );
  }
  return classes;
}

/**
 * The task classes of several modules, each class once, in module order.
 *
 * @example
 * ```ts
 * const classes = taskClassesOfModules([['tasks.ts', tasks], ['more.ts', more]]);
 * ```
 */
export function taskClassesOfModules(
  modules: ReadonlyArray<readonly [field: string, exports: Record<string, unknown>]>,
): TaskClass[] {
  const found = new Set<TaskClass>();
  for (const [field, exports] of modules) {
    for (const cls of taskClassesOf(exports, field)) found.add(cls);
  }
  return [...found];
}

function listedOrExported(exports: Record<string, unknown>, field: string): TaskClass[] {
  if ('tasks' in exports) {
    const list = exports.tasks;
    if (!Array.isArray(list)) {
      throw new ValidationError(
        `${field}: export tasks`,
        'is not an array',
        'export const tasks = [MyTask, ...]',
      );
    }
    // The registry checks each entry and names it (tasks[1]) when it is not a task class.
    return list as TaskClass[];
  }
  return Object.values(exports).filter(isConcreteTaskClass);
}

function isConcreteTaskClass(value: unknown): value is TaskClass {
  return (
    typeof value === 'function' &&
    value.prototype instanceof Task &&
    typeof (value.prototype as { execute?: unknown }).execute === 'function'
  );
}

/** A class shaped like a task (toSpec and execute) that does not extend this process's Task. */
function isForeignTaskClass(value: unknown): boolean {
  if (typeof value !== 'function' || value.prototype instanceof Task) return false;
  const prototype = value.prototype as { toSpec?: unknown; execute?: unknown } | undefined;
  return typeof prototype?.toSpec === 'function' && typeof prototype.execute === 'function';
}
