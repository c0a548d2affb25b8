import {
  formatTaskIdentifier,
  parseTaskIdentifier,
  type TaskIdentifier,
  taskIdentifier,
} from '../core/jobs/task-identifier.js';
import { TaskDefinitionError } from './errors.js';
import { type AnyTask, Task } from './task.js';

/**
 * A task known only by its identifier and input, for code that submits work
 * whose class lives in another program: the CLI, a service that only submits
 * jobs or creates automations. It passes through the same validation as a
 * real task (`toSpec`, `toPrototypeSpec`); runners rebuild it as the class
 * registered under the identifier, so it never runs itself. Trigger tasks
 * submitted this way carry no trigger: give them to an automation, or submit
 * the real class with `once()`.
 *
 * @example
 * ```ts
 * await client.jobs.submit('resize-once', taskFromIdentifier('thumbnails/Resize@v1.2', { key: 'a.png' }));
 * ```
 */
export function taskFromIdentifier(
  identifier: TaskIdentifier | string,
  input: unknown = {},
  field = 'task',
): AnyTask {
  const id =
    typeof identifier === 'string'
      ? parseTaskIdentifier(identifier, field)
      : taskIdentifier(identifier.name, identifier.version, field);
  const Submitted = class extends Task<unknown> {
    static override identifier = { name: id.name, version: id.version };
    execute(): never {
      throw new TaskDefinitionError(
        field,
        `${formatTaskIdentifier(id)} was built from its identifier, to be submitted; it cannot run`,
        'register the task class itself on the runner',
      );
    }
  };
  return new Submitted(input as never);
}
