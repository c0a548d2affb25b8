import { describe, expect, it } from 'vitest';
import {
  InvalidDependencyError,
  InvalidTaskSpecError,
  TooManySubtasksError,
} from '../../../lambdas/core/jobs/errors.js';
import { taskIdentifier } from '../../../lambdas/core/jobs/task-identifier.js';
import {
  MAX_SUBTASKS_PER_TASK,
  type TaskSpec,
  validateSubtasks,
  validateTaskSpec,
} from '../../../lambdas/core/jobs/task-spec.js';

const spec = (dependsOn?: number[], extra: Partial<TaskSpec> = {}): TaskSpec => ({
  identifier: taskIdentifier('Resize', 'v1.0'),
  input: { key: 'a.tif' },
  dependsOn,
  ...extra,
});

describe('validateTaskSpec', () => {
  it('applies defaults and serializes the input', () => {
    expect(validateTaskSpec(spec())).toEqual({
      identifier: { name: 'Resize', version: 'v1.0' },
      inputJson: '{"key":"a.tif"}',
      inputBytes: 15,
      display: 'Resize',
      maxRetries: 0,
      cluster: undefined,
      dependsOn: [],
    });
  });

  it.each([
    [{ maxRetries: 101 }, 'task.maxRetries: must be an integer from 0 to 100, got 101'],
    [{ maxRetries: 1.5 }, 'task.maxRetries: must be an integer from 0 to 100'],
    [{ display: 'x'.repeat(1025) }, 'task.display: is 1025 characters long, more than the 1024'],
    [{ display: '' }, 'task.display: must not be empty'],
    [{ cluster: 'gpu cluster' }, 'task.cluster: "gpu cluster" is not a cluster slug'],
  ])('rejects %o', (extra, message) => {
    // Act
    const act = () => validateTaskSpec(spec(undefined, extra));

    // Assess
    expect(act).toThrow(InvalidTaskSpecError);
    expect(act).toThrow(message);
  });

  it('names the input path under the task field', () => {
    expect(() =>
      validateTaskSpec(spec(undefined, { input: { at: new Date() } }), 'subtasks[2]'),
    ).toThrow('subtasks[2].input.at: a Date is not JSON data');
  });
});

describe('validateSubtasks', () => {
  it('accepts 64 subtasks and sorts and dedupes dependencies', () => {
    // Prepare
    const batch = Array.from({ length: MAX_SUBTASKS_PER_TASK }, (_, index) =>
      index === 5 ? spec([3, 1, 3]) : spec(),
    );

    // Act
    const validated = validateSubtasks(batch);

    // Assess
    expect(validated).toHaveLength(64);
    expect(validated[5]?.dependsOn).toEqual([1, 3]);
  });

  it('rejects a 65th subtask', () => {
    // Act
    const act = () => validateSubtasks(Array.from({ length: 65 }, () => spec()));

    // Assess
    expect(act).toThrow(TooManySubtasksError);
    expect(act).toThrow('subtasks: 65 subtasks in one batch, more than the 64 a task may submit');
  });

  it.each([
    [[spec(), spec([1])], 'subtasks[1].dependsOn[0]: the task depends on itself'],
    [
      [spec(), spec([2])],
      'subtasks[1].dependsOn[0]: 2 is not an index of this batch of 2 (0 to 1)',
    ],
    [[spec([-1])], 'subtasks[0].dependsOn[0]: -1 is not a task index'],
    [[spec([0.5])], 'subtasks[0].dependsOn[0]: 0.5 is not a task index'],
    [
      [spec([1]), spec([2]), spec([0])],
      'subtasks[0].dependsOn: the dependencies form a cycle 0 → 1 → 2 → 0',
    ],
    [
      [spec(), spec([2]), spec([1])],
      'subtasks[1].dependsOn: the dependencies form a cycle 1 → 2 → 1',
    ],
  ])('rejects invalid dependencies (%#)', (batch, message) => {
    // Act
    const act = () => validateSubtasks(batch);

    // Assess
    expect(act).toThrow(InvalidDependencyError);
    expect(act).toThrow(message);
  });

  it('accepts a dependency on a later task of the batch when there is no cycle', () => {
    expect(validateSubtasks([spec([1]), spec()])[0]?.dependsOn).toEqual([1]);
  });
});
