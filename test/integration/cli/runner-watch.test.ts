import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredJob } from '../../../lambdas/core/ports/job-store.js';
import { type CliFixture, createCliFixture, FIXTURES, waitForOutput } from './cli-fixture.js';

describe('bucketflow runner and jobs watch', () => {
  let fixture: CliFixture;

  beforeAll(async () => {
    fixture = await createCliFixture();
  });

  afterAll(async () => {
    await fixture.remove();
  });

  it('runs the tasks a module exports; watch exits 0 on a completed job and 1 on a failed one', async () => {
    // Prepare
    const runner: ChildProcess = fixture.start([
      'runner',
      '--tasks',
      `${FIXTURES}/cli-tasks.ts`,
      '--concurrency',
      '2',
    ]);
    try {
      const started = await waitForOutput(runner, 'polling cluster');
      const fan = await fixture.json<StoredJob>([
        'jobs',
        'submit',
        '--task',
        'cli/Fan@v1.0',
        '--input',
        '{"count":3}',
      ]);
      const broken = await fixture.json<StoredJob>(['jobs', 'submit', '--task', 'cli/Broken@v1.0']);

      // Act
      const [completed, failed] = await Promise.all([
        fixture.run(['jobs', 'watch', fan.jobId, '--interval', '200']),
        fixture.run(['jobs', 'watch', broken.jobId, '--interval', '200', '--json']),
      ]);

      // Assess: the abstract base and the re-exported CronTask are not registered
      expect(started).toMatch(
        /^runner runner-\S+ polling cluster default \(concurrency 2\) for cli\/Broken@v1\.0, cli\/Fan@v1\.1, cli\/Leaf@v1\.0\n/,
      );
      expect(completed.code).toBe(0);
      // Not a terminal: one line per change, the last one final.
      expect(completed.stdout.split('\n').at(-2)).toBe(
        '[##############################] 4/4 computed  COMPLETED',
      );
      expect(completed.stdout).not.toContain('\r');
      expect(failed.code).toBe(1);
      expect(JSON.parse(failed.stdout)).toMatchObject({ jobId: broken.jobId, state: 'FAILED' });
    } finally {
      runner.kill('SIGKILL');
    }
  });

  it('exits 2 when the module exports no task classes or the cluster does not exist', async () => {
    // Act
    const [empty, unknown] = await Promise.all([
      fixture.run(['runner', '--tasks', `${FIXTURES}/no-tasks.ts`]),
      fixture.run(['runner', '--tasks', `${FIXTURES}/cli-tasks.ts`, '--cluster', 'nowhere']),
    ]);

    // Assess
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain(`--tasks ${FIXTURES}/no-tasks.ts: exports no task classes`);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--cluster: unknown cluster 'nowhere'");
  });
});
