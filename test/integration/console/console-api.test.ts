import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AutomationView, OpenBatchView } from '../../../bin/dev/console/console-api.js';
import type { ClusterView } from '../../../bin/dev/console/console-clusters-api.js';
import type { JobView } from '../../../bin/dev/console/console-jobs-api.js';
import { startConsoleServer } from '../../../bin/dev/console/console-server.js';
import { TASK_STATE_COLORS } from '../../../lambdas/sdk/task-state-colors.js';
import {
  type ConsoleFixture,
  createConsoleFixture,
  RUNNER_ID,
  rawRequest,
} from './console-fixture.js';

describe('startConsoleServer API', () => {
  let fixture: ConsoleFixture;

  async function api<Body = { error: string }>(
    path: string,
    init?: RequestInit,
  ): Promise<{ status: number; body: Body }> {
    const response = await fetch(new URL(path, fixture.server.url), init);
    return { status: response.status, body: (await response.json()) as Body };
  }

  beforeAll(async () => {
    fixture = await createConsoleFixture();
  });

  afterAll(async () => {
    await fixture?.close();
  });

  it('binds to loopback and serves the page with a strict content security policy', async () => {
    // Act
    const response = await fetch(fixture.server.url);
    const html = await response.text();

    // Assess
    expect(fixture.server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(html).toContain('<h2 id="jobs-heading" tabindex="-1">Jobs');
    expect(html).toContain('src="/console.js"');
  });

  it('serves the stylesheet with the state colours of the task tree diagrams', async () => {
    // Act
    const css = await (await fetch(new URL('/console.css', fixture.server.url))).text();

    // Assess
    expect(css).toContain(`.state-COMPUTED { --state-fill: ${TASK_STATE_COLORS.COMPUTED.fill};`);
    expect(css).toContain(`.state-STARTED { --state-fill: ${TASK_STATE_COLORS.RUNNING.fill};`);
    expect(css).toContain(`.state-COMPLETED { --state-fill: ${TASK_STATE_COLORS.COMPUTED.fill};`);
  });

  it('lists every automation with its kind, cluster, triggers and whether it is enabled', async () => {
    // Act
    const { status, body } = await api<{ automations: AutomationView[] }>('/api/automations');

    // Assess
    expect(status).toBe(200);
    const byName = new Map(body.automations.map((automation) => [automation.name, automation]));
    expect(byName.get('text-uploads')).toMatchObject({
      id: fixture.seed.storage.id,
      kind: 'storage',
      cluster: 'default',
      enabled: true,
      task: 'console/OnText@v1.0',
      triggers: { storage: [{ location: 'demo', glob: '**.txt' }] },
      summary: ['demo: **.txt'],
    });
    expect(byName.get('scene-packages')).toMatchObject({
      kind: 'batch',
      triggers: { batch: { location: 'demo', prefixDepth: 1, count: 5, quietSeconds: 600 } },
      summary: ['demo, prefix depth 1, closes at 5 objects, or 600 s quiet, event + job'],
    });
    expect(byName.get('every-minute')).toMatchObject({
      kind: 'cron',
      summary: ["'* * * * *' UTC, catch-up all"],
    });
    expect(byName.get('paused-report')).toMatchObject({ enabled: false });
  });

  it('gives each enabled cron automation its next fire time after the console clock', async () => {
    // Prepare
    const now = fixture.seed.completed.createdAt;
    fixture.clock.fixed = now;

    // Act
    const { body } = await api<{ now: number; automations: AutomationView[] }>('/api/automations');
    fixture.clock.fixed = undefined;

    // Assess
    const byName = new Map(body.automations.map((automation) => [automation.name, automation]));
    expect(body.now).toBe(now);
    expect(byName.get('every-minute')?.nextFireAt).toBe((Math.floor(now / 60_000) + 1) * 60_000);
    expect(byName.get('paused-report')?.nextFireAt).toBeNull();
    expect(byName.get('text-uploads')?.nextFireAt).toBeNull();
  });

  it('lists clusters with queue depths, DLQ depth and the runners seen recently', async () => {
    // Act
    const { status, body } = await api<{ clusters: ClusterView[] }>('/api/clusters');

    // Assess
    expect(status).toBe(200);
    const bySlug = new Map(body.clusters.map((cluster) => [cluster.slug, cluster]));
    const standard = bySlug.get('default');
    expect(standard?.runners).toEqual([
      expect.objectContaining({
        runnerId: RUNNER_ID,
        kind: 'process',
        identifiers: ['console/Parent@v1.2', 'console/Greet@v1.0'],
      }),
    ]);
    expect(standard?.runners[0]?.seenAt).toBeGreaterThanOrEqual(fixture.seed.completed.createdAt);
    expect(standard?.deadLettered).toBe(0);
    expect(standard?.routes).toContainEqual(
      expect.objectContaining({ taskName: 'console/Greet', versionMajor: 1, runners: 1 }),
    );
    // No runner polls the idle cluster; of its queued tasks only waiting-job's was sent (the
    // others went to the job store alone), so its Greet queue holds one message.
    const idle = bySlug.get(fixture.seed.waiting.cluster);
    expect(idle?.runners).toEqual([]);
    expect(idle?.routes).toEqual([
      {
        taskName: 'console/Greet',
        versionMajor: 1,
        runners: 0,
        sources: ['queued-task'],
        depth: { visible: 1, inFlight: 0, delayed: 0 },
      },
    ]);
    expect(idle?.deadLettered).toBe(0);
  });

  it('lists open batches with their automation, location, count, age and deadline', async () => {
    // Act
    const { status, body } = await api<{ now: number; batches: OpenBatchView[] }>('/api/batches');

    // Assess
    expect(status).toBe(200);
    expect(body.batches).toHaveLength(1);
    const batch = body.batches[0];
    expect(batch).toMatchObject({
      batchId: fixture.seed.openBatch.batchId,
      automationId: fixture.seed.batch.id,
      automation: 'scene-packages',
      location: 'demo',
      bucket: 'demo',
      prefix: 'scenes/',
      count: 3,
      countThreshold: 5,
      firstEventAt: fixture.seed.openBatch.firstEventAt,
      dueAt: fixture.seed.openBatch.firstEventAt + 2 + 600_000,
      dueReason: 'quiet',
    });
    expect(batch?.ageMs).toBe(body.now - fixture.seed.openBatch.firstEventAt);
  });

  it('answers 404 for an unknown job and 400 for a malformed id', async () => {
    // Act
    const unknown = await api('/api/jobs/01J00000000000000000000000');
    const malformed = await api('/api/jobs/not-a-job');

    // Assess
    expect(unknown).toEqual({
      status: 404,
      body: { error: 'job 01J00000000000000000000000: not found' },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toContain("'not-a-job' is not a job id");
  });

  it('cancels a queued job and retries it', async () => {
    // Prepare
    const { jobId } = fixture.seed.waiting;
    const post = (action: string) =>
      api<{ job: JobView }>(`/api/jobs/${jobId}/${action}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      });

    // Act
    const cancelled = await post('cancel');
    const retried = await post('retry');
    await post('cancel');

    // Assess
    expect(cancelled).toMatchObject({
      status: 200,
      body: { cancelled: 1, job: { state: 'CANCELLED' } },
    });
    expect(retried).toMatchObject({ status: 200, body: { requeued: 1, job: { state: 'QUEUED' } } });
    expect((await fixture.client.jobs.find(jobId))?.state).toBe('CANCELLED');
  });

  it('answers 404 for unknown routes and 405 for a known route with another method', async () => {
    // Act
    const unknown = await api('/api/nothing');
    const wrongMethod = await api(`/api/jobs/${fixture.seed.waiting.jobId}/cancel`);
    const postPage = await fetch(fixture.server.url, { method: 'POST' });

    // Assess
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toContain('no route for GET /api/nothing');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.body.error).toContain('use POST');
    expect(postPage.status).toBe(405);
    expect(postPage.headers.get('allow')).toBe('GET, HEAD');
  });

  it('refuses a foreign Host (DNS rebinding) and a POST from another origin', async () => {
    // Prepare
    const jobUrl = new URL(`/api/jobs/${fixture.seed.waiting.jobId}/cancel`, fixture.server.url);

    // Act
    const rebound = await rawRequest(new URL('/api/jobs', fixture.server.url).href, {
      headers: { host: 'attacker.example:80' },
    });
    const forged = await rawRequest(jobUrl.href, {
      method: 'POST',
      headers: { origin: 'http://attacker.example' },
    });

    // Assess
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body).error).toContain(
      "host 'attacker.example:80' is not this console",
    );
    expect(forged.status).toBe(403);
  });

  it('answers 500 with the error when a store fails, and reports it', async () => {
    // Prepare
    const reported: unknown[] = [];
    const broken = await startConsoleServer({
      client: fixture.client,
      batches: {
        listOpen: () => Promise.reject(new Error('table unavailable')),
      } as unknown as Parameters<typeof startConsoleServer>[0]['batches'],
      onError: (error) => reported.push(error),
    });

    // Act
    try {
      const response = await fetch(new URL('/api/batches', broken.url));

      // Assess
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ error: 'table unavailable' });
      expect(reported).toHaveLength(1);
    } finally {
      await broken.stop();
    }
  });

  it('refuses to start on a port that is taken, naming the port', async () => {
    // Prepare
    const port = Number(new URL(fixture.server.url).port);

    // Act
    const start = startConsoleServer({ client: fixture.client, batches: {} as never, port });

    // Assess
    await expect(start).rejects.toThrow(`console: port ${port} on 127.0.0.1 is in use`);
  });
});
