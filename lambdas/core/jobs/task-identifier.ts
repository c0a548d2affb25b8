import { InvalidTaskIdentifierError } from './errors.js';
import { textProblem } from './text-rules.js';

/** A task version `vX.Y`: X is the major and Y the minor version, both non-negative integers. */
export type TaskVersion = `v${number}.${number}`;

/**
 * What a task is: its name plus the version it was submitted with (or that a
 * runner registered). Build one with {@link taskIdentifier} or
 * {@link parseTaskIdentifier}, which validate and canonicalise it.
 */
export interface TaskIdentifier {
  readonly name: string;
  readonly version: TaskVersion;
}

/** The version of a task that does not state one. */
export const DEFAULT_TASK_VERSION: TaskVersion = 'v0.0';
/** Longest task name, in characters (code points). */
export const MAX_TASK_NAME_LENGTH = 256;

const VERSION_PATTERN = /^v(\d+)\.(\d+)$/;

/**
 * Validates a task name and version and returns the identifier, with the
 * version in canonical form (`v01.2` becomes `v1.2`). The name is any
 * printable text of 1 to 256 characters, compared exactly (case-sensitive).
 *
 * @example
 * ```ts
 * taskIdentifier('thumbnails/Resize', 'v1.3'); // { name: 'thumbnails/Resize', version: 'v1.3' }
 * taskIdentifier('thumbnails/Resize'); // version 'v0.0'
 * ```
 */
export function taskIdentifier(
  name: string,
  version: string = DEFAULT_TASK_VERSION,
  field = 'identifier',
): TaskIdentifier {
  const problem = textProblem(name, MAX_TASK_NAME_LENGTH);
  if (problem) {
    throw new InvalidTaskIdentifierError(
      `${field}.name`,
      problem,
      "use a stable name such as 'thumbnails/Resize'",
    );
  }
  const { major, minor } = parseTaskVersion(version, `${field}.version`);
  return Object.freeze({ name, version: `v${major}.${minor}` as TaskVersion });
}

/**
 * Splits a version `vX.Y` into its numbers. Each number must be a safe integer.
 *
 * @example
 * ```ts
 * parseTaskVersion('v1.12'); // { major: 1, minor: 12 }
 * ```
 */
export function parseTaskVersion(
  version: string,
  field = 'version',
): { major: number; minor: number } {
  const match = typeof version === 'string' ? VERSION_PATTERN.exec(version) : null;
  const major = Number(match?.[1]);
  const minor = Number(match?.[2]);
  if (!match || !Number.isSafeInteger(major) || !Number.isSafeInteger(minor)) {
    throw new InvalidTaskIdentifierError(
      field,
      `${JSON.stringify(version)} is not a version vX.Y with X and Y non-negative integers`,
      "write it like 'v1.0'",
    );
  }
  return { major, minor };
}

/**
 * The canonical string form of an identifier: `name@vX.Y`, the version always
 * written. {@link parseTaskIdentifier} reads it back for every valid name,
 * including names that contain `@`, because it splits at the last `@`.
 *
 * @example
 * ```ts
 * formatTaskIdentifier(taskIdentifier('thumbnails/Resize', 'v1.3')); // 'thumbnails/Resize@v1.3'
 * ```
 */
export function formatTaskIdentifier(identifier: TaskIdentifier): string {
  return `${identifier.name}@${identifier.version}`;
}

/**
 * Reads `name@vX.Y`, or a bare `name` meaning version `v0.0`. The text after
 * the last `@` must be a version, so a name that contains `@` needs its
 * version written out (`user@example/Task@v0.0`); a typo such as `Task@v1`
 * is an error rather than a name.
 *
 * @example
 * ```ts
 * parseTaskIdentifier('thumbnails/Resize@v1.3'); // { name: 'thumbnails/Resize', version: 'v1.3' }
 * parseTaskIdentifier('thumbnails/Resize'); // version 'v0.0'
 * ```
 */
export function parseTaskIdentifier(text: string, field = 'identifier'): TaskIdentifier {
  if (typeof text !== 'string') {
    throw new InvalidTaskIdentifierError(
      field,
      'must be a string name@vX.Y',
      "write 'MyTask@v1.0'",
    );
  }
  const at = text.lastIndexOf('@');
  if (at < 0) return taskIdentifier(text, DEFAULT_TASK_VERSION, field);
  const version = text.slice(at + 1);
  if (!VERSION_PATTERN.test(version)) {
    throw new InvalidTaskIdentifierError(
      field,
      `${JSON.stringify(version)} after the last '@' in ${JSON.stringify(text)} is not a version vX.Y`,
      "write name@vX.Y, e.g. 'MyTask@v1.0'; a name that contains '@' needs an explicit version",
    );
  }
  return taskIdentifier(text.slice(0, at), version, field);
}

/**
 * Whether a runner that registered `runner` may run a task submitted as
 * `submitted`: the same name, the same major version, and a runner minor
 * version at least the submitted one (a runner at v1.5 runs v1.3 tasks; one at
 * v1.2 or v2.5 does not).
 *
 * @example
 * ```ts
 * isCompatible(taskIdentifier('Resize', 'v1.5'), taskIdentifier('Resize', 'v1.3')); // true
 * isCompatible(taskIdentifier('Resize', 'v2.5'), taskIdentifier('Resize', 'v1.3')); // false
 * ```
 */
export function isCompatible(runner: TaskIdentifier, submitted: TaskIdentifier): boolean {
  if (runner.name !== submitted.name) return false;
  const have = parseTaskVersion(runner.version, 'runner.version');
  const want = parseTaskVersion(submitted.version, 'submitted.version');
  return have.major === want.major && have.minor >= want.minor;
}
