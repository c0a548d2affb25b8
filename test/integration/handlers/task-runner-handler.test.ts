import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetQueueUrlCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTaskRunnerHandler } from '../../../lambdas/handlers/task-runner.js';
import type { ExecutionContext } from '../../../lambdas/sdk/execution-context.js';
import { Task } from '../../../lambdas/sdk/task.js';
import { StorageEventTask } from '../../../lambdas/sdk/trigger-tasks.js';
import { createTestRuntime, type TestRuntime } from '../support/handler-runtime.js';
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

  async function lambdaEvent(cluster: string) {
    const { QueueUrl } = await env.clients.sqs.send(
      new GetQueueUrlCommand({ QueueName: `${env.config.taskQueuePrefix}${cluster}` }),
    );
    const received = await env.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    return {
      Records: (received.Messages ?? []).map((m) => ({
        messageId: m.MessageId ?? '',
        receiptHandle: m.ReceiptHandle ?? '',
        body: m.Body ?? '',
      })),
    };
  }

  it('runs a task and its subtasks from SQS records until the job completes', async () => {
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
    await env.runtime.deps.dispatchTasks(submitted.runnable);

    // Act: one invocation runs the root, the next its two subtasks.
    const first = await handler(await lambdaEvent('default'));
    const second = await handler(await lambdaEvent('default'));

    // Assess
    expect(first.batchItemFailures).toEqual([]);
    expect(second.batchItemFailures).toEqual([]);
    const job = await env.runtime.deps.jobs.getJob(submitted.job.jobId);
    expect(job.state).toBe('COMPLETED');
    expect(job.taskCount).toBe(3);
  });

  it('reports a task it may not run as a failed item, leaving it queued for another runner', async () => {
    // Prepare: the function only knows Shout.
    const handler = createTaskRunnerHandler({
      tasks: [Shout],
      cluster: 'other',
      config: env.config,
      clients: env.clients,
    });
    const submitted = await env.runtime.deps.jobs.submit({
      name: 'unknown-task',
      root: { ...new Greet({ name: 'bob' }).toSpec(), cluster: 'other' },
    });
    await env.runtime.deps.dispatchTasks(submitted.runnable);

    // Act
    const event = await lambdaEvent('other');
    const response = await handler(event);

    // Assess
    expect(response.batchItemFailures).toEqual(
      event.Records.map((r) => ({ itemIdentifier: r.messageId })),
    );
    const [task] = await env.runtime.deps.jobs.listTasks(submitted.job.jobId);
    expect(task?.state).toBe('QUEUED');
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
    await env.runtime.deps.dispatchTasks(submitted.runnable);

    // Act
    const response = await handler(await lambdaEvent('default'));

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const [root] = await env.runtime.deps.jobs.listTasks(submitted.job.jobId);
    expect(root?.state).toBe('COMPUTED');
    expect(root?.display).toBe('raw/notes/hello.txt: hello lambda');
  });
});
