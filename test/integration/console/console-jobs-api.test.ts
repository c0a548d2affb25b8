import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobListView } from '../../../bin/dev/console/console-jobs-api.js';
import { escapeForDisplay } from '../../../lambdas/core/jobs/text-rules.js';
import {
  type ConsoleFixture,
  createConsoleFixture,
  FLAKY_ERROR,
  Greet,
  HOSTILE_KEY,
} from './console-fixture.js';

/** Every seeded job, newest first. */
const ALL_JOBS = [
  'from-automation',
  'hostile-key',
  'batch-closed',
  'cron-fired',
  'flaky-job',
  'waiting-job',
  'parent-job',
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('console jobs API', () => {
  let fixture: ConsoleFixture;

  async function api<Body = { error: string }>(
    path: string,
  ): Promise<{ status: number; body: Body }> {
    const response = await fetch(new URL(path, fixture.server.url));
    return { status: response.status, body: (await response.json()) as Body };
  }

  async function names(query: string): Promise<string[]> {
    const { status, body } = await api<JobListView>(`/api/jobs?${query}`);
    expect(status).toBe(200);
    return body.jobs.map((job) => job.name);
  }

  beforeAll(async () => {
    fixture = await createConsoleFixture();
  });

  afterAll(async () => {
    await fixture?.close();
  });

  it('lists jobs newest first with state, counts, automation and trigger', async () => {
    // Act
    const { status, body } = await api<JobListView>('/api/jobs');

    // Assess
    expect(status).toBe(200);
    expect(body.jobs.map((job) => job.name)).toEqual(ALL_JOBS);
    expect(body.nextCursor).toBeNull();
    const byName = new Map(body.jobs.map((job) => [job.name, job]));
    expect(byName.get('from-automation')).toMatchObject({
      jobId: fixture.seed.automated.jobId,
      state: 'QUEUED',
      automation: 'text-uploads',
      createdAt: fixture.seed.automated.createdAt,
      trigger: null,
      error: null,
    });
    expect(byName.get('parent-job')).toMatchObject({
      state: 'COMPLETED',
      automation: null,
      taskCount: 3,
      counts: { COMPUTED: 3, QUEUED: 0, RUNNING: 0, FAILED: 0, CANCELLED: 0 },
    });
    expect(byName.get('hostile-key')?.trigger).toMatchObject({
      kind: 'storage',
      key: escapeForDisplay(HOSTILE_KEY),
    });
    expect(byName.get('batch-closed')?.trigger).toMatchObject({
      kind: 'batch',
      prefix: 'tiles/',
      count: 2,
    });
    expect(byName.get('cron-fired')?.trigger).toMatchObject({
      kind: 'cron',
      expression: '* * * * *',
    });
    // The store keeps the stack too: the list shows all of it, folded.
    expect(byName.get('flaky-job')?.error).toMatch(
      new RegExp(`^Error: ${escapeRegExp(FLAKY_ERROR)}\nsecond line of the error\n    at Flaky`),
    );
  });

  it('filters jobs by state, by automation id or name, and by time range', async () => {
    // Prepare
    const { completed, failed, storage } = fixture.seed;

    // Act
    const failedOnly = await names('state=FAILED');
    const unfinished = await names('state=queued,STARTED');
    const byName = await names('automation=text-uploads');
    const byId = await names(`automation=${storage.id}`);
    const range = await names(`from=${completed.createdAt}&to=${failed.createdAt + 1}`);
    const isoRange = await names(
      `from=${new Date(failed.createdAt).toISOString()}&to=${new Date(failed.createdAt + 1).toISOString()}`,
    );

    // Assess
    expect(failedOnly).toEqual(['flaky-job']);
    expect(unfinished).toEqual([
      'from-automation',
      'hostile-key',
      'batch-closed',
      'cron-fired',
      'waiting-job',
    ]);
    expect(byName).toEqual(['from-automation', 'hostile-key']);
    expect(byId).toEqual(byName);
    expect(range).toEqual(['flaky-job', 'waiting-job', 'parent-job']);
    expect(isoRange).toEqual(['flaky-job']);
  });

  it('searches jobs by job id, by name and by part of an object key in the trigger', async () => {
    // Act
    const byId = await names(`q=${fixture.seed.failed.jobId}`);
    const byScript = await names(`q=${encodeURIComponent('<script>')}`);
    const byPlusAndPercent = await names(`q=${encodeURIComponent('a+b%20 ü')}`);
    const byMember = await names('q=TILES/B.TIF');
    const byJobName = await names('q=flaky');
    const none = await names('q=no-such-key');

    // Assess
    expect(byId).toEqual(['flaky-job']);
    expect(byScript).toEqual(['hostile-key']);
    expect(byPlusAndPercent).toEqual(['hostile-key']);
    expect(byMember).toEqual(['batch-closed']);
    expect(byJobName).toEqual(['flaky-job']);
    expect(none).toEqual([]);
  });

  it('pages through jobs with a cursor, every job once, filtered or not', async () => {
    // Prepare
    async function all(query: string): Promise<string[]> {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: JobListView } = await api<JobListView>(
          `/api/jobs?${query}${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(page.body.jobs.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.jobs.map((job) => job.name));
        cursor = page.body.nextCursor;
      } while (cursor !== null && seen.length < 20);
      return seen;
    }

    // Act
    const unfiltered = await all('limit=2');
    const queued = await all('limit=2&state=QUEUED');

    // Assess
    expect(unfiltered).toEqual(ALL_JOBS);
    expect(queued).toEqual([
      'from-automation',
      'hostile-key',
      'batch-closed',
      'cron-fired',
      'waiting-job',
    ]);
  });

  it('keeps a later page stable while new jobs arrive', async () => {
    // Prepare
    const first = await api<JobListView>('/api/jobs?limit=3');
    await fixture.client.jobs.submit('newcomer', new Greet({ who: 'new' }));

    // Act
    const second = await api<JobListView>(`/api/jobs?limit=3&cursor=${first.body.nextCursor}`);
    const fresh = await api<JobListView>('/api/jobs?limit=1');

    // Assess
    expect(second.body.jobs.map((job) => job.name)).toEqual(ALL_JOBS.slice(3, 6));
    expect(fresh.body.jobs.map((job) => job.name)).toEqual(['newcomer']);
  });

  it('rejects a bad parameter with 400 naming the parameter and the fix', async () => {
    // Act
    const answers = await Promise.all(
      [
        'state=FAILED,done',
        'from=yesterday',
        'to=2026-03-01T08:00',
        `from=${fixture.seed.failed.createdAt}&to=${fixture.seed.completed.createdAt}`,
        'cursor=not-a-cursor',
        'automation=nobody',
        'stat=FAILED',
        `q=${'k'.repeat(1025)}`,
        'limit=0',
        'limit=ten',
      ].map((query) => api(`/api/jobs?${query}`)),
    );

    // Assess
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(400));
    expect(answers.map((answer) => answer.body.error)).toEqual([
      expect.stringMatching(
        /^state: 'done' is not a job state \(use one or more of QUEUED, STARTED/,
      ),
      expect.stringMatching(/^from: 'yesterday' is not a time \(use ISO 8601 with a zone/),
      expect.stringMatching(/^to: '2026-03-01T08:00' is not a time/),
      expect.stringMatching(/^from: .* is not before to .* \(swap them, or leave one out\)$/),
      expect.stringMatching(
        /^cursor: 'not-a-cursor' is not a cursor of this list \(pass the nextCursor/,
      ),
      expect.stringMatching(/^automation: 'nobody' is not the id or name of an automation/),
      expect.stringMatching(/^stat: not a parameter of \/api\/jobs \(use state, automation/),
      expect.stringMatching(/^q: 1025 characters is longer than 1024/),
      expect.stringMatching(/^limit: '0' is not an integer from 1 to 1000 \(e\.g\. \?limit=50\)$/),
      expect.stringMatching(/^limit: 'ten' is not an integer from 1 to 1000/),
    ]);
  });
});
