import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LOCAL_TRACE_FILE,
  type SpanLine,
} from '../../../lambdas/adapters/otel/jsonl-span-exporter.js';
import { type StartedTracing, startTracing } from '../../../lambdas/adapters/otel/tracing-setup.js';
import { Task } from '../../../lambdas/sdk/task.js';
import { type CliFixture, createCliFixture } from './cli-fixture.js';

/** Starts a span of the user's own, with a name that needs escaping, and one subtask. */
class TraceTile extends Task {
  static override identifier = { name: 'TraceTile', version: 'v1.0' };
  async execute(context: import('../../../lambdas/sdk/execution-context.js').ExecutionContext) {
    await trace.getTracer('tiles').startActiveSpan('write\ntile <1>', async (span) => span.end());
    context.submitSubtask(new TraceStamp());
  }
}

class TraceStamp extends Task {
  static override identifier = { name: 'TraceStamp', version: 'v1.0' };
  execute() {}
}

describe('bucketflow jobs trace (local mode)', () => {
  let fixture: CliFixture;
  let tracing: StartedTracing;

  beforeAll(async () => {
    fixture = await createCliFixture();
    // As bucketflow dev and its runners do: spans into the data directory's trace file.
    tracing = startTracing({
      serviceName: 'bucketflow-test',
      file: join(fixture.dataDir, LOCAL_TRACE_FILE),
    });
  });

  afterAll(async () => {
    await tracing.shutdown();
    await fixture.remove();
  });

  it("prints a job's span tree from the data directory's trace file", async () => {
    // Prepare
    const { client } = fixture;
    const job = await client.jobs.submit('tiling', new TraceTile());
    await client
      .runner({ cluster: 'default', tasks: [TraceTile, TraceStamp], logSink: () => undefined })
      .runAll({ signal: AbortSignal.timeout(30_000) });
    await tracing.flush();

    // Act
    const text = await fixture.run(['jobs', 'trace', job.jobId]);
    const spans = await fixture.json<SpanLine[]>(['jobs', 'trace', job.jobId]);

    // Assess
    expect(text.code).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines[0]).toMatch(/^trace [0-9a-f]{32}: 10 span\(s\), [\d.]+ ms$/);
    const tree = lines.slice(1).map((line) => line.replace(/ {2}[\d.]+ ms.*$/, ''));
    expect(tree.filter((line) => line.length > 0)).toEqual([
      'submit job',
      '└─ task TraceTile',
      '   ├─ claim',
      '   ├─ execute',
      '   │  └─ write\\x0Atile <1>',
      '   ├─ complete',
      '   └─ task TraceStamp',
      '      ├─ claim',
      '      ├─ execute',
      '      └─ complete',
    ]);
    expect(text.stdout).toContain(`id=${job.jobId}`);
    expect(spans).toHaveLength(10);
    expect(new Set(spans.map((span) => span.traceId)).size).toBe(1);
  });

  it('names the job and the fix for a job that has no trace, and an unknown job', async () => {
    // Prepare: a job submitted while no tracer provider was registered records no trace.
    const { client } = fixture;
    await tracing.shutdown();
    trace.disable();
    const job = await client.jobs.submit('untraced', new TraceStamp());

    // Act
    const untraced = await fixture.run(['jobs', 'trace', job.jobId]);
    const unknown = await fixture.run(['jobs', 'trace', 'no-such-job']);

    // Assess
    expect(untraced.code).toBe(2);
    expect(untraced.stderr).toContain(`job ${job.jobId}: was submitted without a trace`);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('job no-such-job: no such job');
  });
});
