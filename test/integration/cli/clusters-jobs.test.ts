import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../../../lambdas/core/ports/automation-store.js';
import type { StoredJob, StoredTask } from '../../../lambdas/core/ports/job-store.js';
import { bucketflow, type CliFixture, createCliFixture } from './cli-fixture.js';

describe('bucketflow clusters', () => {
  let fixture: CliFixture;

  beforeAll(async () => {
    fixture = await createCliFixture();
  });

  afterAll(async () => {
    await fixture.remove();
  });

  it('creates, lists, finds and deletes a cluster, printing JSON with --json', async () => {
    // Act
    const created = await fixture.json<Cluster>(['clusters', 'create', 'gpu']);
    const listed = await fixture.json<Cluster[]>(['clusters', 'list']);
    const table = await fixture.run(['clusters', 'list']);
    const found = await fixture.json<Cluster>(['clusters', 'find', created.slug]);
    const deleted = await fixture.run(['clusters', 'delete', created.slug]);
    const gone = await fixture.run(['clusters', 'find', created.slug]);

    // Assess
    expect(created).toMatchObject({ name: 'gpu', slug: expect.stringMatching(/^gpu-/) });
    expect(listed).toEqual([created]);
    expect(table.stdout).toMatch(
      new RegExp(`^SLUG\\s+NAME\\s+CREATED\\n${created.slug}\\s+gpu\\s+`),
    );
    expect(found).toEqual(created);
    expect(deleted).toMatchObject({ code: 0, stdout: `deleted cluster ${created.slug}\n` });
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain(`cluster '${created.slug}': no such cluster`);
  });
});

describe('bucketflow jobs', () => {
  let fixture: CliFixture;

  beforeAll(async () => {
    fixture = await createCliFixture();
  });

  afterAll(async () => {
    await fixture.remove();
  });

  it('submits a job from an identifier and JSON input, then lists, finds and draws it', async () => {
    // Prepare
    const cluster = await fixture.json<Cluster>(['clusters', 'create', 'cpu']);

    // Act
    const job = await fixture.json<StoredJob>([
      'jobs',
      'submit',
      '--task',
      'cli/Fan@v1.1',
      '--input',
      '{"count":2}',
      '--cluster',
      cluster.slug,
      '--max-retries',
      '3',
      '--name',
      'fan-out',
    ]);
    const [listed, table, found, tree, text, mermaid] = await Promise.all([
      fixture.json<StoredJob[]>(['jobs', 'list', '--since', '1h', '--limit', '5']),
      fixture.run(['jobs', 'list']),
      fixture.json<StoredJob>(['jobs', 'find', job.jobId]),
      fixture.json<{ job: StoredJob; tasks: StoredTask[] }>(['jobs', 'tree', job.jobId]),
      fixture.run(['jobs', 'tree', job.jobId]),
      fixture.run(['jobs', 'tree', job.jobId, '--format', 'mermaid']),
    ]);

    // Assess
    expect(job).toMatchObject({ name: 'fan-out', state: 'QUEUED', cluster: cluster.slug });
    expect(listed.map((entry) => entry.jobId)).toEqual([job.jobId]);
    expect(table.stdout).toMatch(
      new RegExp(
        `^ID\\s+NAME\\s+STATE\\s+TASKS\\s+SUBMITTED\\n${job.jobId}\\s+fan-out\\s+QUEUED\\s+1 queued\\s+\\d{4}-`,
      ),
    );
    // No runner registered cli/Fan on the cluster: find says why the task waits.
    const why = `no runner on cluster ${cluster.slug} registered cli/Fan@v1.x`;
    expect(found).toEqual({
      ...job,
      waiting: [
        {
          taskId: job.rootTaskIds[0],
          identifier: { name: 'cli/Fan', version: 'v1.1' },
          cluster: cluster.slug,
          problem: why,
        },
      ],
    });
    expect(tree.tasks).toHaveLength(1);
    expect(tree.tasks[0]).toMatchObject({
      identifier: { name: 'cli/Fan', version: 'v1.1' },
      inputJson: '{"count":2}',
      maxRetries: 3,
      cluster: cluster.slug,
    });
    expect(text.stdout).toBe(
      `job ${job.jobId} fan-out (QUEUED: 1 queued)\n└─ cli/Fan@v1.1 [QUEUED]  on ${cluster.slug}\n`,
    );
    expect(mermaid.stdout).toContain('flowchart TD');
  });

  it('cancels a queued job and retries its cancelled task', async () => {
    // Prepare
    const job = await fixture.json<StoredJob>([
      'jobs',
      'submit',
      '--task',
      'cli/Leaf',
      '--input',
      '{"index":1}',
    ]);

    // Act
    const cancelled = await fixture.json<{ job: StoredJob; cancelled: number }>([
      'jobs',
      'cancel',
      job.jobId,
    ]);
    const retried = await fixture.json<{ job: StoredJob; requeued: number }>([
      'jobs',
      'retry',
      job.jobId,
    ]);

    // Assess
    expect(cancelled).toMatchObject({ cancelled: 1, job: { state: 'CANCELLED' } });
    expect(retried).toMatchObject({ requeued: 1, job: { state: 'QUEUED' } });
  });

  it('exits 2 naming the option for bad input, an unknown cluster and an unknown job', async () => {
    // Act
    const [badJson, badIdentifier, unknownCluster, unknownJob, badSince] = await Promise.all([
      fixture.run(['jobs', 'submit', '--task', 'cli/Leaf', '--input', '{index: 1}']),
      fixture.run(['jobs', 'submit', '--task', 'cli/Leaf@v1']),
      fixture.run(['jobs', 'submit', '--task', 'cli/Leaf', '--cluster', 'nowhere']),
      fixture.run(['jobs', 'watch', '01ARZ3NDEKTSV4RRFFQ69G5FAV']),
      fixture.run(['jobs', 'list', '--since', 'yesterday']),
    ]);

    // Assess
    const expectUsage = (result: { code: number | null; stderr: string }, text: string) => {
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(text);
    };
    expectUsage(badJson, 'bucketflow: --input: is not valid JSON');
    expectUsage(badIdentifier, '--task: "v1" after the last \'@\'');
    expectUsage(unknownCluster, "--cluster: unknown cluster 'nowhere'");
    expectUsage(unknownJob, 'job 01ARZ3NDEKTSV4RRFFQ69G5FAV: no such job');
    expectUsage(badSince, "--since: 'yesterday' is neither a duration nor an ISO-8601 time");
  });

  it('exits 2 telling how to start a local stack when there is no connection', async () => {
    // Prepare: an empty data directory, and a working directory without .bucketflow
    const empty = await mkdtemp(join(tmpdir(), 'bucketflow-cli-empty-'));

    try {
      // Act
      const [explicit, implicit] = await Promise.all([
        bucketflow(['jobs', 'list', '--data-dir', empty]),
        bucketflow(['clusters', 'list'], empty),
      ]);

      // Assess
      expect(explicit.code).toBe(2);
      expect(explicit.stderr).toContain(`data-dir: ${join(empty, 'local.json')} does not exist`);
      expect(explicit.stderr).toContain("'npm start -- --data-dir");
      expect(implicit.code).toBe(2);
      expect(implicit.stderr).toContain("start one with 'npm start'");
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
