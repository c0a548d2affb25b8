import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SqsTaskQueue } from '../../../lambdas/adapters/aws/queues/sqs-task-queue.js';
import { type StartedTracing, startTracing } from '../../../lambdas/adapters/otel/tracing-setup.js';
import { createS3IngestHandler } from '../../../lambdas/handlers/s3-ingest.js';
import type { ExecutionContext } from '../../../lambdas/sdk/execution-context.js';
import { Task } from '../../../lambdas/sdk/task.js';
import type { LogRecord } from '../../../lambdas/sdk/task-logger.js';
import { TaskRegistry } from '../../../lambdas/sdk/task-registry.js';
import { TaskRunner } from '../../../lambdas/sdk/task-runner.js';
import { objectCreatedEvent } from '../../support/s3-event-factories.js';
import { createTestRuntime, sqsEvent, type TestRuntime } from '../support/handler-runtime.js';

const BUCKET = 'traced-bucket';

/** The storage automation's task: one span of its own, and one subtask. */
class TracedObject extends Task {
  static override identifier = { name: 'TracedObject', version: 'v1.0' };
  async execute(context: ExecutionContext) {
    await trace.getTracer('user-code').startActiveSpan('resize', async (span) => {
      span.end();
    });
    context.submitSubtask(new TracedThumb());
  }
}

class TracedThumb extends Task {
  static override identifier = { name: 'TracedThumb', version: 'v1.0' };
  execute() {}
}

describe('one trace per object', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: StartedTracing;
  let env: TestRuntime;

  beforeAll(async () => {
    tracing = startTracing({ serviceName: 'bucketflow-test', exporters: [exporter] });
    env = await createTestRuntime({ tracing });
    const { automations } = env.runtime;
    await automations.registerLocation({ name: 'traced', kind: 's3', bucket: BUCKET });
    await automations.create({
      name: 'traced-objects',
      task: { identifier: { name: 'TracedObject', version: 'v1.0' }, input: {} },
      triggers: { storage: [{ location: 'traced', glob: '**.tif' }] },
    });
  });
  afterAll(() => tracing.shutdown());

  it('links the ingest, the job, every task attempt and its phases and the user’s spans in one trace', async () => {
    // Prepare
    const ingest = createS3IngestHandler(env.runtime);
    const key = 'plates/a b+1%ü.tif';
    const logs: LogRecord[] = [];
    const runner = new TaskRunner({
      jobs: env.runtime.deps.jobs,
      queue: new SqsTaskQueue({
        client: env.clients.sqs,
        prefix: env.config.taskQueuePrefix,
        waitSeconds: 0,
      }),
      registry: new TaskRegistry([TracedObject, TracedThumb]),
      cluster: 'default',
      logSink: (record) => logs.push(record),
    });

    const ingestLog = vi.spyOn(env.runtime.logger, 'info');

    // Act
    const response = await ingest(
      sqsEvent([objectCreatedEvent({ bucket: BUCKET, key, sequencer: '0A01' })]),
    );
    const summary = await runner.runAll({ signal: AbortSignal.timeout(25_000) });
    await tracing.flush();

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(summary.computed).toBe(2);
    const spans = exporter.getFinishedSpans();
    const root = only(spans, (span) => span.name === 'ingest object');
    expect(root.parentSpanContext).toBeUndefined();
    expect(root.attributes).toMatchObject({ 'aws.s3.bucket': BUCKET, 'aws.s3.key': key });
    const traceId = root.spanContext().traceId;
    const inTrace = spans.filter((span) => span.spanContext().traceId === traceId);
    const submit = only(inTrace, (span) => span.name === 'submit job');
    expect(parentOf(submit)).toBe(root);
    const jobId = submit.attributes['bucketflow.job.id'];
    expect(typeof jobId).toBe('string');

    const object = only(inTrace, (span) => span.name === 'task TracedObject');
    expect(parentOf(object)).toBe(submit);
    expect(object.attributes).toMatchObject({
      'bucketflow.job.id': jobId,
      'bucketflow.task.attempt': 1,
      'bucketflow.task.outcome': 'computed',
    });
    expect(childNames(object)).toEqual(['claim', 'complete', 'execute', 'task TracedThumb']);
    const execute = only(inTrace, (span) => span.name === 'execute' && parentOf(span) === object);
    expect(parentOf(only(inTrace, (span) => span.name === 'resize'))).toBe(execute);

    // The subtask's attempt nests under the attempt that spawned it.
    const thumb = only(inTrace, (span) => span.name === 'task TracedThumb');
    expect(parentOf(thumb)).toBe(object);
    expect(childNames(thumb)).toEqual(['claim', 'complete', 'execute']);
    expect(spans.filter((span) => span.spanContext().traceId !== traceId)).toEqual([]);

    // The ingest's line names the object and the trace at its top level.
    expect(ingestLog).toHaveBeenCalledWith(
      'job submitted',
      expect.objectContaining({ bucket: BUCKET, key, traceId, jobId }),
    );

    // Every line the two attempts logged names the trace, as a top-level key.
    const taskLines = logs.filter((line) => line.fields.taskId !== undefined);
    expect(taskLines.length).toBeGreaterThanOrEqual(4);
    expect(taskLines.filter((line) => line.fields.traceId !== traceId)).toEqual([]);

    function parentOf(span: ReadableSpan): ReadableSpan | undefined {
      const parent = span.parentSpanContext?.spanId;
      return inTrace.find((candidate) => candidate.spanContext().spanId === parent);
    }
    function childNames(span: ReadableSpan): string[] {
      return inTrace
        .filter((candidate) => parentOf(candidate) === span)
        .map((child) => child.name)
        .sort();
    }
  });
});

function only(spans: readonly ReadableSpan[], test: (span: ReadableSpan) => boolean): ReadableSpan {
  const found = spans.filter(test);
  expect(found.map((span) => span.name)).toHaveLength(1);
  return found[0] as ReadableSpan;
}
