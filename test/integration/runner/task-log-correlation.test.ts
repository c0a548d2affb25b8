import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTaskRunnerHandler } from '../../../lambdas/handlers/task-runner.js';
import type { ExecutionContext } from '../../../lambdas/sdk/execution-context.js';
import { identifierOf, Task } from '../../../lambdas/sdk/task.js';
import { createTestRuntime, type TestRuntime } from '../support/handler-runtime.js';
import { lambdaEvent } from '../support/lambda-event.js';
import { uniqueName } from '../support/local-aws.js';
import { createRunnerFixture, type RunnerFixture } from './runner-fixture.js';

/** Attempts seen per input object. */
const attempts = new Map<string, number>();

/** Logs a line, fails its first attempt, and submits one subtask on its second. */
class Ingest extends Task<{ object: string }> {
  static override identifier = { name: 'LogIngest', version: 'v1.0' };
  execute(context: ExecutionContext) {
    context.logger.info('ingesting', { object: this.input.object });
    const seen = (attempts.get(this.input.object) ?? 0) + 1;
    attempts.set(this.input.object, seen);
    if (seen === 1) throw new Error('first attempt fails');
    context.submitSubtask(new Thumb());
  }
}

class Thumb extends Task {
  static override identifier = { name: 'LogThumb', version: 'v1.0' };
  execute(context: ExecutionContext) {
    context.logger.warn('thumbnail made');
  }
}

const TRIGGER = {
  kind: 'storage' as const,
  type: 'created' as const,
  location: 's3://raw',
  bucket: 'raw',
  key: 'plates/a b+1.tif',
  eventTime: '2030-01-01T00:00:00.000Z',
};

/** The correlation keys every line of the job must carry. */
const JOB_KEYS = { automation: 'thumbnails', bucket: 'raw', key: 'plates/a b+1.tif' };

describe('task log correlation', () => {
  let fixture: RunnerFixture;
  let env: TestRuntime;

  beforeAll(async () => {
    fixture = await createRunnerFixture();
    env = await createTestRuntime();
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('tags every line of a process runner with the job, task, attempt and trigger keys', async () => {
    // Prepare
    const cluster = uniqueName('corr');
    const submitted = await fixture.jobs.submit({
      name: 'thumbnails',
      automationId: 'auto-1',
      root: new Ingest({ object: 'a' }).toSpec({ cluster, maxRetries: 1 }),
      trigger: TRIGGER,
    });
    await fixture.queue.send(submitted.runnable);

    // Act
    await fixture.runAll(fixture.runner(cluster, [Ingest, Thumb]));

    // Assess
    const lines = fixture.logs.filter((record) => record.fields.jobId === submitted.job.jobId);
    const tasks = await fixture.tasksOf(submitted.job.jobId);
    expect(tasks.map((task) => task.state)).toEqual(['COMPUTED', 'COMPUTED']);
    // started + user line + finished, per attempt: two of the root, one of the subtask.
    expect(lines.length).toBeGreaterThanOrEqual(9);
    for (const line of lines) {
      expect(line.fields).toMatchObject({ ...JOB_KEYS, jobId: submitted.job.jobId });
      expect(tasks.map((task) => task.taskId)).toContain(line.fields.taskId);
      expect(line.fields.attempt).toEqual(expect.any(Number));
    }
    const rootId = tasks[0]?.taskId;
    const userLines = lines.filter((line) => line.message === 'ingesting');
    expect(userLines.map((line) => [line.fields.taskId, line.fields.attempt])).toEqual([
      [rootId, 1],
      [rootId, 2],
    ]);
    expect(lines.find((line) => line.message === 'thumbnail made')?.fields.taskId).toBe(
      tasks[1]?.taskId,
    );
  });

  it('writes a Lambda runner line through Powertools with the correlation keys on each', async () => {
    // Prepare
    const printed: string[] = [];
    const capture = (chunk: unknown) => {
      printed.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    const cluster = 'default';
    const handler = createTaskRunnerHandler({
      tasks: [Ingest, Thumb],
      cluster,
      config: env.config,
      clients: env.clients,
      logger: new Logger({ serviceName: 'bucketflow', logLevel: 'INFO' }),
    });
    const submitted = await env.runtime.deps.jobs.submit({
      name: 'thumbnails',
      automationId: 'auto-1',
      root: new Ingest({ object: 'b' }).toSpec({ maxRetries: 0 }),
      trigger: TRIGGER,
    });
    await env.runtime.deps.taskQueue.send(submitted.runnable);
    const event = await lambdaEvent(env, cluster, identifierOf(Ingest));

    // Act
    await handler(event);
    vi.restoreAllMocks();

    // Assess
    const lines = printed
      .flatMap((chunk) => chunk.split('\n'))
      .filter((text) => text.startsWith('{'))
      .map((text) => JSON.parse(text) as Record<string, unknown>)
      .filter((line) => line.jobId === submitted.job.jobId);
    expect(lines.map((line) => line.message)).toEqual([
      'task started',
      'ingesting',
      'task finished',
    ]);
    for (const line of lines) {
      expect(line).toMatchObject({
        ...JOB_KEYS,
        service: 'bucketflow',
        taskId: submitted.runnable[0]?.taskId,
        attempt: 1,
        timestamp: expect.any(String),
      });
    }
    expect(lines[2]).toMatchObject({ level: 'WARN', state: 'FAILED' });
  });
});
