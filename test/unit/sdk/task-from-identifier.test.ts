import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lambdas/core/errors.js';
import { taskIdentifier } from '../../../lambdas/core/jobs/task-identifier.js';
import { TaskDefinitionError } from '../../../lambdas/sdk/errors.js';
import type { ExecutionContext } from '../../../lambdas/sdk/execution-context.js';
import { taskFromIdentifier } from '../../../lambdas/sdk/task-from-identifier.js';

describe('taskFromIdentifier', () => {
  it('builds a submittable task whose spec carries the identifier and a copy of the input', () => {
    // Prepare
    const input = { key: 'a.png', sizes: [256] };

    // Act
    const fromText = taskFromIdentifier('thumbnails/Resize@v1.2', input).toSpec({ cluster: 'gpu' });
    const fromObject = taskFromIdentifier(taskIdentifier('Report')).toPrototypeSpec();

    // Assess
    expect(fromText).toMatchObject({
      identifier: { name: 'thumbnails/Resize', version: 'v1.2' },
      input,
      cluster: 'gpu',
    });
    expect(fromText.input).not.toBe(input);
    expect(fromObject).toMatchObject({
      identifier: { name: 'Report', version: 'v0.0' },
      input: {},
    });
  });

  it('rejects a malformed identifier or input naming the field', () => {
    // Act
    const badVersion = () => taskFromIdentifier('Resize@1.2', {}, '--task');
    const badInput = () => taskFromIdentifier('Resize', { when: new Date(0) }).toSpec();

    // Assess
    expect(badVersion).toThrow(ValidationError);
    expect(badVersion).toThrow(/^--task: "1.2" after the last '@'/);
    expect(badInput).toThrow(/^task\.input\.when: a Date is not JSON data/);
  });

  it('refuses to run, since runners rebuild the registered class', () => {
    // Prepare
    const task = taskFromIdentifier('Resize@v1.0');

    // Act
    const run = () => task.execute({} as ExecutionContext);

    // Assess
    expect(run).toThrow(TaskDefinitionError);
    expect(run).toThrow(/Resize@v1\.0 was built from its identifier/);
  });
});
