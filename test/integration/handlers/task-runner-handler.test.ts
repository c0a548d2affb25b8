import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { taskIdentifier } from '../../../lambdas/core/jobs/task-identifier.js';
import { taskRouteOf } from '../../../lambdas/core/jobs/task-routing.js';
import { createTaskRunnerHandler } from '../../../lambdas/handlers/task-runner.js';
import type { ExecutionContext } from '../../../lambdas/sdk/execution-context.js';
import { identifierOf, Task } from '../../../lambdas/sdk/task.js';
import { StorageEventTask } from '../../../lambdas/sdk/trigger-tasks.js';
import { createTestRuntime, type TestRuntime } from '../support/handler-runtime.js';
import { lambdaEvent } from '../support/lambda-event.js';
import { uniqueName } from '../support/local-aws.js';

class Greet extends Task<{ name: string }> {
  static override identifier = { name: 'Greet', version: 'v1.2' };
  execute(context: ExecutionContext) {
    for (const part of ['a', 'b'])
      context.submitSubtask(new Shout({ text: `${this.input.name}-${part}` }));
  }
}

class Shout extends Task<{ text: string }> {
  execute() {}
}

class GreetV11 extends Task<{ name: string }> {
  static override identifier = { name: 'Greet', version: 'v1.1' };
  execute() {}
}

/** Reads the object that triggered it through the trigger's storage, as on a process runner. */
class Echo extends StorageEventTask {
  async execute(context: ExecutionContext) {
    const text = new TextDecoder().decode(await this.trigger.storage.read(this.trigger.key));
    context.currentTask.display = `${this.trigger.location}/${this.trigger.key}: ${text}`;
  }
}

describe('task-runner handler (TaskRunnerFunction)', () => {
  let env: TestRuntime;

  beforeAll(async () => {
    env = await createTestRuntime();
  });

  it('runs a task and its subtasks from the records of its queues until the job completes', async () => {
    // Prepare
    const handler = createTaskRunnerHandler({
      tasks: [Greet, Shout],
      cluster: 'default',
      config: env.config,
      clients: env.clients,
    });
    const submitted = await env.runtime.deps.jobs.submit({
      name: 'greeting',
      root: new Greet({ name: 'ada' }).toSpec(),
    });
    await env.runtime.deps.taskQueue.send(submitted.runnable);

    // Act: one invocation from Greet's queue runs the root, the next from Shout's its two subtasks.
    const first = await handler(await lambdaEvent(env, 'default', taskIdentifier('Greet', 'v1.2')));
    const second = await handler(await lambdaEvent(env, 'default', taskIdentifier('Shout')));

    // Assess
    expect(first.batchItemFailures).toEqual([]);
    expect(second.batchItemFailures).toEqual([]);
    const job = await env.runtime.deps.jobs.getJob(submitted.job.jobId);
    expect(job.state).toBe('COMPLETED');
    expect(job.taskCount).toBe(3);
  });

  it('hands a task of a newer minor version on, without failing its record', async () => {
    // Prepare: the function registered Greet@v1.1; the task was submitted as v1.2.
    const handler = createTaskRunnerHandler({
      tasks: [GreetV11],
      cluster: 'older',
      config: env.config,
      clients: env.clients,
    });
    const submitted = await env.runtime.deps.jobs.submit({
      name: 'newer-greeting',
      root: { ...new Greet({ name: 'bob' }).toSpec(), cluster: 'older' },
    });
    await env.runtime.deps.taskQueue.send(submitted.runnable);

    // Act
    const event = await lambdaEvent(env, 'older', taskIdentifier('Greet', 'v1.2'));
    const response = await handler(event);

    // Assess: Lambda deletes the record; a delayed copy waits for a runner with v1.2 or newer.
    expect(event.Records).toHaveLength(1);
    expect(response.batchItemFailures).toEqual([]);
    const [task] = await env.runtime.deps.jobs.listTasks(submitted.job.jobId);
    expect(task).toMatchObject({ state: 'QUEUED', attempts: 0 });
    const route = taskRouteOf('older', taskIdentifier('Greet', 'v1.2'));
    expect(await env.runtime.deps.taskQueue.depth(route)).toMatchObject({
      delayed: 1,
      deadLettered: 0,
    });
  });

  it('reports a record from a queue it does not poll as failed', async () => {
    // Prepare
    const handler = createTaskRunnerHandler({
      tasks: [Shout],
      cluster: 'default',
      config: env.config,
      clients: env.clients,
    });
    const record = {
      messageId: 'm-1',
      receiptHandle: 'r-1',
      body: '{"jobId":"j","taskId":"t","attempt":1,"version":"v1.2"}',
      eventSourceARN: 'arn:aws:sqs:eu-west-1:000000000000:somebody-elses-queue',
    };

    // Act
    const response = await handler({ Records: [record] });

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
  });

  it('gives a storage event task its trigger storage, reading the object from S3', async () => {
    // Prepare: an S3 location with an object, and a job that the object triggered.
    const bucket = uniqueName('lambda-echo');
    await env.clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await env.clients.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'notes/hello.txt', Body: 'hello lambda' }),
    );
    await env.runtime.automations.registerLocation({ name: 'raw', kind: 's3', bucket });
    const handler = createTaskRunnerHandler({
      tasks: [Echo],
      cluster: 'default',
      config: env.config,
      clients: env.clients,
    });
    const submitted = await env.runtime.deps.jobs.submit({
      name: 'echo',
      root: new Echo().once('raw', 'notes/hello.txt').toSpec(),
    });
    await env.runtime.deps.taskQueue.send(submitted.runnable);

    // Act
    const response = await handler(await lambdaEvent(env, 'default', identifierOf(Echo)));

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const [root] = await env.runtime.deps.jobs.listTasks(submitted.job.jobId);
    expect(root?.state).toBe('COMPUTED');
    expect(root?.display).toBe('raw/notes/hello.txt: hello lambda');
  });
});
