import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobDetailView } from '../../../bin/dev/console/console-job-api.js';
import { type ConsoleFixture, createConsoleFixture, FLAKY_ERROR } from './console-fixture.js';

describe('console job API', () => {
  let fixture: ConsoleFixture;

  async function api<Body>(path: string): Promise<{ status: number; body: Body }> {
    const response = await fetch(new URL(path, fixture.server.url));
    return { status: response.status, body: (await response.json()) as Body };
  }

  beforeAll(async () => {
    fixture = await createConsoleFixture();
  });

  afterAll(async () => {
    await fixture?.close();
  });

  it('shows a job with its tasks in tree order, their attempts and its task tree as SVG', async () => {
    // Prepare
    const { jobId } = fixture.seed.completed;

    // Act
    const { status, body } = await api<JobDetailView>(`/api/jobs/${jobId}`);

    // Assess
    expect(status).toBe(200);
    // Submitted while no tracer provider was registered: no trace to point to.
    expect(body.job).toMatchObject({
      jobId,
      name: 'parent-job',
      state: 'COMPLETED',
      traceId: null,
    });
    expect(body.trigger).toBeNull();
    expect(body.tasks).toEqual([
      expect.objectContaining({ depth: 0, identifier: 'console/Parent@v1.2', state: 'COMPUTED' }),
      expect.objectContaining({
        depth: 1,
        display: 'Greet alice',
        input: '{\n  "who": "alice"\n}',
      }),
      expect.objectContaining({
        depth: 1,
        display: 'Greet bob',
        dependsOn: [body.tasks[1]?.taskId],
      }),
    ]);
    const [attempt] = body.tasks[0]?.attempts ?? [];
    expect(body.tasks[0]?.attempts).toHaveLength(1);
    expect(attempt).toMatchObject({ attempt: 1, outcome: 'computed', error: null });
    expect(attempt?.runnerId).toEqual(expect.any(String));
    expect(attempt?.endedAt).toBeGreaterThanOrEqual(attempt?.startedAt ?? Number.NaN);
    expect(attempt?.durationMs).toBeGreaterThanOrEqual(0);
    expect(body.svg).toBe(await fixture.client.jobs.visualize(jobId, 'svg'));
    expect(body.svgNote).toBeNull();
  });

  it("shows a failed job's attempts, each with its runner, times and error, and its log", async () => {
    // Act
    const { body } = await api<JobDetailView>(`/api/jobs/${fixture.seed.failed.jobId}`);

    // Assess
    const [task] = body.tasks;
    expect(task).toMatchObject({
      state: 'FAILED',
      maxRetries: 1,
      input: '{\n  "disk": "/dev/sda1"\n}',
    });
    expect(task?.attempts.map((attempt) => [attempt.attempt, attempt.outcome])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
    ]);
    for (const attempt of task?.attempts ?? []) {
      expect(attempt.error).toBe(`Error: ${FLAKY_ERROR}\nsecond line of the error`);
      expect(attempt.runnerId).toEqual(expect.any(String));
      expect(attempt.durationMs).toBeGreaterThanOrEqual(0);
    }
    const second = task?.attempts[1];
    expect(second?.startedAt).toBeGreaterThan(task?.attempts[0]?.endedAt ?? Number.NaN);
    const written = body.logs.filter((line) => line.message === 'writing the cache');
    expect(written.map((line) => [line.attempt, line.fields])).toEqual([
      [1, '{"disk":"/dev/sda1"}'],
      [2, '{"disk":"/dev/sda1"}'],
    ]);
    expect(body.logs.map((line) => line.message)).toContain('task finished');
    expect(body.logsNote).toBeNull();
  });

  it('shows the trigger of storage, batch and cron jobs, control characters escaped', async () => {
    // Act
    const [keyed, batched, fired] = await Promise.all(
      [fixture.seed.keyed, fixture.seed.batched, fixture.seed.fired].map((job) =>
        api<JobDetailView>(`/api/jobs/${job.jobId}`),
      ),
    );

    // Assess
    expect(keyed?.body.trigger).toEqual({
      kind: 'storage',
      type: 'created',
      location: 'demo',
      bucket: 'demo',
      key: 'in box/<script>alert(1)</script> a+b%20 ü\\x0Aline.txt',
      size: 12,
      etag: null,
      sequencer: null,
      eventTime: fixture.seed.openBatch.firstEventAt,
    });
    expect(keyed?.body.tasks[0]?.display).toBe('first line\n<b>second</b> line');
    expect(keyed?.body.tasks[0]?.input).toContain(
      '"who": "in box/<script>alert(1)</script> a+b%20 ü\\nline.txt"',
    );
    expect(batched?.body.trigger).toMatchObject({
      kind: 'batch',
      prefix: 'tiles/',
      count: 2,
      reason: 'count',
      members: ['tiles/a.tif', 'tiles/b.tif'],
      membersStoredIn: 'inline',
    });
    expect(fired?.body.trigger).toEqual({
      kind: 'cron',
      fireTime: Math.floor(fixture.seed.openBatch.firstEventAt / 60_000) * 60_000,
      expression: '* * * * *',
      timezone: 'UTC',
    });
  });
});
