import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ValidationError } from '../../lambdas/core/errors.js';
import { Task, type TaskClass } from '../../lambdas/sdk/task.js';

/**
 * The task classes a module offers a runner: its exported `tasks` array when
 * it has one (then exactly those), otherwise every exported class that
 * extends `Task` and implements `execute` (so re-exported SDK bases such as
 * `CronTask` and the module's own abstract bases are left out). Paths are
 * relative to `cwd`; TypeScript modules load because the CLI runs under tsx.
 *
 * @example
 * ```ts
 * const tasks = await loadTaskModules(['./tasks.ts'], process.cwd());
 * ```
 */
export async function loadTaskModules(paths: readonly string[], cwd: string): Promise<TaskClass[]> {
  const found = new Set<TaskClass>();
  for (const path of paths) {
    const absolute = resolve(cwd, path);
    if (!existsSync(absolute)) {
      throw new ValidationError(
        `--tasks ${path}`,
        `${absolute} does not exist`,
        'pass the path of a module that exports task classes',
      );
    }
    const exports = (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
    const classes = tasksOf(exports, path);
    const foreign = Object.entries(exports).filter(([, value]) => isForeignTaskClass(value));
    if (classes.length === 0 && foreign.length > 0) {
      throw new ValidationError(
        `--tasks ${path}`,
        `exports ${foreign.map(([name]) => name).join(', ')}, extending a different copy of Task than the CLI's (the module was loaded as CommonJS, or bucketflow is installed twice)`,
        'make the module ESM (name it .mts, or set "type": "module" in its package.json) and import Task from the bucketflow the CLI runs',
      );
    }
    if (classes.length === 0) {
      throw new ValidationError(
        `--tasks ${path}`,
        'exports no task classes',
        'export your classes that extend Task, CronTask, StorageEventTask or BatchTask, or export const tasks = [MyTask, ...]',
      );
    }
    for (const cls of classes) found.add(cls);
  }
  return [...found];
}

function tasksOf(exports: Record<string, unknown>, path: string): TaskClass[] {
  if ('tasks' in exports) {
    const list = exports.tasks;
    if (!Array.isArray(list)) {
      throw new ValidationError(
        `--tasks ${path}: export tasks`,
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
