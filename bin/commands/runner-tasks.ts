import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ValidationError } from '../../lambdas/core/errors.js';
import type { TaskClass } from '../../lambdas/sdk/task.js';
import { taskClassesOfModules } from '../../lambdas/sdk/task-modules.js';
import { importUserModule } from '../user-modules.js';

/**
 * The task classes of the modules at `paths` (relative to `cwd`), by the rule
 * of {@link taskClassesOfModules}. TypeScript modules load through tsx.
 *
 * @example
 * ```ts
 * const tasks = await loadTaskModules(['./tasks.ts'], process.cwd());
 * ```
 */
export async function loadTaskModules(
  paths: readonly string[],
  cwd: string,
  option = '--tasks',
): Promise<TaskClass[]> {
  const modules: Array<[string, Record<string, unknown>]> = [];
  for (const path of paths) {
    const field = `${option} ${path}`;
    const absolute = resolve(cwd, path);
    if (!existsSync(absolute)) {
      throw new ValidationError(
        field,
        `${absolute} does not exist`,
        'pass the path of a module that exports task classes',
      );
    }
    modules.push([field, await importUserModule(absolute, field)]);
  }
  return taskClassesOfModules(modules);
}
