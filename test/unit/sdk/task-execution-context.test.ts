import { describe, expect, it } from 'vitest';
import { InvalidDependencyError, TooManySubtasksError } from '../../../lambdas/core/jobs/errors.js';
import { JobCacheUnavailableError } from '../../../lambdas/sdk/errors.js';
import { UnavailableJobCache } from '../../../lambdas/sdk/object-storage-job-cache.js';
import { Task } from '../../../lambdas/sdk/task.js';
import { TaskExecutionContext } from '../../../lambdas/sdk/task-execution-context.js';
import { createTaskLogger, type LogRecord } from '../../../lambdas/sdk/task-logger.js';

class Leaf extends Task<{ n: number }> {
  execute() {}
}

function newContext(logs: LogRecord[] = []): TaskExecutionContext {
  return new TaskExecutionContext({
    task: { jobId: 'job-1', taskId: 'task-1', display: 'Parent' },
    jobCache: new UnavailableJobCache(),
    logger: createTaskLogger((record) => logs.push(record), { jobId: 'job-1', taskId: 'task-1' }),
    signal: new AbortController().signal,
  });
}

describe('TaskExecutionContext', () => {
  it('collects subtasks with dependsOn handles turned into indices', () => {
    // Prepare
    const context = newContext();

    // Act
    const fetch = context.submitSubtask(new Leaf({ n: 0 }), { cluster: 'gpu', maxRetries: 2 });
    const [a, b] = context.submitSubtasks([new Leaf({ n: 1 }), new Leaf({ n: 2 })], {
      dependsOn: [fetch],
    });

    // Assess
    expect([fetch.index, a?.index, b?.index]).toEqual([0, 1, 2]);
    expect(context.subtasks.map((spec) => spec.dependsOn)).toEqual([[], [0], [0]]);
    expect(context.subtasks[0]).toMatchObject({ cluster: 'gpu', maxRetries: 2, input: { n: 0 } });
  });

  it('throws TooManySubtasksError at the 65th subtask', () => {
    // Prepare
    const context = newContext();
    context.submitSubtasks(Array.from({ length: 64 }, (_, n) => new Leaf({ n })));

    // Act
    const submit = () => context.submitSubtask(new Leaf({ n: 64 }));

    // Assess
    expect(submit).toThrow(TooManySubtasksError);
    expect(context.subtasks).toHaveLength(64);
  });

  it('rejects handles from another execution', () => {
    // Prepare
    const foreign = newContext().submitSubtask(new Leaf({ n: 0 }));
    const context = newContext();

    // Act
    const submit = () => context.submitSubtask(new Leaf({ n: 1 }), { dependsOn: [foreign] });

    // Assess
    expect(submit).toThrow(InvalidDependencyError);
    expect(context.subtasks).toHaveLength(0);
  });

  it('clamps display to 1024 characters and keeps the stored one for empty text', () => {
    // Prepare
    const context = newContext();

    // Act
    context.currentTask.display = 'x'.repeat(2000);
    const long = context.currentTask.display;
    context.currentTask.display = '';

    // Assess
    expect(long).toHaveLength(1024);
    expect(context.currentTask.display).toBe('Parent');
  });

  it('tags log records with the job and task ids', () => {
    // Prepare
    const logs: LogRecord[] = [];
    const context = newContext(logs);

    // Act
    context.logger.info('hello', { key: 'a' });

    // Assess
    expect(logs).toMatchObject([
      { level: 'info', message: 'hello', fields: { jobId: 'job-1', taskId: 'task-1', key: 'a' } },
    ]);
  });

  it('rejects job cache use when the runner has no cache storage', async () => {
    // Act
    const read = newContext().jobCache.group('g').get('a');

    // Assess
    await expect(read).rejects.toThrow(JobCacheUnavailableError);
  });
});
