import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalTaskLog } from '../../../lambdas/adapters/local/local-task-log.js';
import type { ExecutionContext } from '../../../lambdas/sdk/execution-context.js';
import { Task } from '../../../lambdas/sdk/task.js';
import { type CliFixture, createCliFixture } from './cli-fixture.js';

class Tile extends Task<{ tiles: number }> {
  static override identifier = { name: 'LogsTile', version: 'v1.0' };
  execute(context: ExecutionContext) {
    context.logger.info('tiles written', { tiles: this.input.tiles });
    context.submitSubtask(new Stamp());
  }
}

class Stamp extends Task {
  static override identifier = { name: 'LogsStamp', version: 'v1.0' };
  execute(context: ExecutionContext) {
    context.logger.warn('stamp faded');
  }
}

interface JsonLine {
  readonly time: string;
  readonly level: string;
  readonly message: string;
  readonly jobId: string;
  readonly taskId: string;
  readonly attempt: number;
}

describe('bucketflow jobs logs (local mode)', () => {
  let fixture: CliFixture;

  beforeAll(async () => {
    fixture = await createCliFixture();
  });

  afterAll(async () => {
    await fixture.remove();
  });

  it("prints a job's task log lines from the data directory, all or one task's", async () => {
    // Prepare: a runner writing the data directory's task log, as bucketflow dev's do.
    const { client } = fixture;
    const job = await client.jobs.submit('tiling', new Tile({ tiles: 4 }));
    const other = await client.jobs.submit('other', new Stamp());
    await client
      .runner({
        cluster: 'default',
        tasks: [Tile, Stamp],
        logSink: new LocalTaskLog(fixture.dataDir).sink,
      })
      .runAll({ signal: AbortSignal.timeout(30_000) });
    const tasks = await client.jobs.tasks(job.jobId);
    const stamp = tasks.find((task) => task.identifier.name === 'LogsStamp');

    // Act
    const text = await fixture.run(['jobs', 'logs', job.jobId]);
    const lines = await fixture.json<JsonLine[]>(['jobs', 'logs', job.jobId]);
    const one = await fixture.json<JsonLine[]>([
      'jobs',
      'logs',
      job.jobId,
      '--task',
      stamp?.taskId ?? '',
    ]);
    const missing = await fixture.run(['jobs', 'logs', 'no-such-job']);

    // Assess
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/ INFO {2}\S+#1 tiles written tiles=4\n/);
    expect(text.stdout).toMatch(/ WARN {2}\S+#1 stamp faded\n/);
    expect(lines.map((line) => line.message)).toEqual([
      'task started',
      'tiles written',
      'task finished',
      'task started',
      'stamp faded',
      'task finished',
    ]);
    for (const line of lines) {
      expect(line).toMatchObject({ jobId: job.jobId, attempt: 1 });
      expect(tasks.map((task) => task.taskId)).toContain(line.taskId);
    }
    expect(lines.some((line) => line.jobId === other.jobId)).toBe(false);
    expect(one.map((line) => line.message)).toEqual([
      'task started',
      'stamp faded',
      'task finished',
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such job');
  });
});
