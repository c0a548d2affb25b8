import { ValidationError } from '../../lambdas/core/errors.js';
import { parseTaskIdentifier } from '../../lambdas/core/jobs/task-identifier.js';
import { serializeTaskInput } from '../../lambdas/core/jobs/task-input.js';
import { UnknownClusterError } from '../../lambdas/sdk/errors.js';
import type { AnyTask } from '../../lambdas/sdk/task.js';
import { taskFromIdentifier } from '../../lambdas/sdk/task-from-identifier.js';

/** Help text of `--task`. */
export const TASK_OPTION_HELP = "task identifier NAME or NAME@vX.Y (e.g. 'thumbnails/Resize@v1.2')";
/** Help text of `--input`. */
export const INPUT_OPTION_HELP = 'task input as JSON, e.g. \'{"key":"a.png"}\' (default: {})';

/**
 * The task named by `--task` with the input of `--input`, both validated
 * here so that errors name the option rather than a field of the spec.
 *
 * @example
 * ```ts
 * taskFromOptions({ task: 'Resize@v1.2', input: '{"key":"a.png"}' }).toSpec().identifier.version; // 'v1.2'
 * ```
 */
export function taskFromOptions(options: { task: string; input?: string | undefined }): AnyTask {
  const identifier = parseTaskIdentifier(options.task, '--task');
  return taskFromIdentifier(identifier, parseInputOption(options.input), '--task');
}

/** Parses `--input` as JSON task input (at most 256 KiB); absent means `{}`. */
export function parseInputOption(raw: string | undefined): unknown {
  if (raw === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new ValidationError(
      '--input',
      `is not valid JSON (${(error as Error).message})`,
      `write a JSON value in single quotes, e.g. --input '{"key":"a.png"}'`,
    );
  }
  serializeTaskInput(value, '--input');
  return value;
}

/**
 * Runs `fn`, naming `--cluster` instead of the SDK's `cluster` field when the
 * cluster does not exist.
 */
export async function withClusterOption<T>(
  cluster: string | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof UnknownClusterError)) throw error;
    throw new ValidationError(
      '--cluster',
      `unknown cluster '${cluster}'`,
      'list them with: bucketflow clusters list; create one with: bucketflow clusters create NAME; or leave --cluster out for the default cluster',
    );
  }
}
