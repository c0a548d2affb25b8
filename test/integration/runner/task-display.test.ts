import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbJobStore } from '../../../lambdas/adapters/aws/job-store/dynamodb-job-store.js';
import { InvalidTaskSpecError } from '../../../lambdas/core/jobs/errors.js';
import type { ExecutionContext } from '../../../lambdas/sdk/execution-context.js';
import { Task } from '../../../lambdas/sdk/task.js';
import { localClients } from '../support/local-aws.js';
import { createProcessFixture, type ProcessFixture } from './process-fixture.js';

/** Sets its display to `label`, then fails if asked to. */
class Labelled extends Task<{ label: string; fail?: boolean }> {
  static override identifier = { name: 'display/Labelled', version: 'v1.0' };

  execute(context: ExecutionContext) {
    context.currentTask.display = this.input.label;
    if (this.input.fail) throw new Error('broken after labelling');
  }
}

describe('ExecutionContext currentTask.display', () => {
  let fixture: ProcessFixture;
  let cluster: string;

  beforeAll(async () => {
    fixture = await createProcessFixture();
    cluster = (await fixture.client.clusters.create('display')).slug;
  });

  afterAll(async () => {
    await fixture?.close();
  });

  async function runJob(input: { label: string; fail?: boolean }) {
    const { client } = fixture;
    const job = await client.jobs.submit('labelled', new Labelled(input), { cluster });
    await client
      .runner({ cluster, tasks: [Labelled], logSink: () => {} })
      .runAll({ signal: AbortSignal.timeout(20_000) });
    return job.jobId;
  }

  it('is stored with the completion and shown in the task list and the job views', async () => {
    // Act
    const jobId = await runJob({ label: 'Tile 7 of 9' });

    // Assess
    const { client } = fixture;
    const [task] = await client.jobs.tasks(jobId);
    expect(task).toMatchObject({ state: 'COMPUTED', display: 'Tile 7 of 9' });
    expect(await client.jobs.visualize(jobId, 'mermaid')).toContain('"Tile 7 of 9<br/>COMPUTED"');
    expect(await client.jobs.visualize(jobId, 'svg')).toContain('Tile 7 of 9');
  });

  it('keeps its line breaks, is cut to 1,024 characters and renders them safely', async () => {
    // Act
    const jobId = await runJob({ label: `first\r\nsecond <b>\t${'x'.repeat(2_000)}` });

    // Assess
    const [task] = await fixture.client.jobs.tasks(jobId);
    expect(task?.display).toHaveLength(1_024);
    expect(task?.display.startsWith('first\nsecond <b> xxx')).toBe(true);
    const mermaid = await fixture.client.jobs.visualize(jobId, 'mermaid');
    expect(mermaid).toContain('"first<br/>second #lt;b#gt; xxx');
    const svg = await fixture.client.jobs.visualize(jobId, 'svg');
    expect(svg).toContain('>first</tspan>');
    expect(svg).not.toContain('<b>');
  });

  it('keeps the submitted display when the attempt fails', async () => {
    // Act
    const jobId = await runJob({ label: 'never stored', fail: true });

    // Assess
    const [task] = await fixture.client.jobs.tasks(jobId);
    expect(task).toMatchObject({ state: 'FAILED', display: 'display/Labelled' });
  });

  it('is refused by the job store at completion when it holds a carriage return', async () => {
    // Prepare
    const jobs = new DynamoDbJobStore({
      client: localClients().dynamodb,
      tableName: fixture.connection.tables.jobs,
    });
    const { runnable } = await jobs.submit({
      name: 'raw',
      root: new Labelled({ label: 'unused' }).toSpec({ cluster }),
    });
    const claim = await jobs.claim({
      ...(runnable[0] as (typeof runnable)[number]),
      runnerId: 'r',
    });
    if (!claim.claimed) throw new Error(`claim refused: ${claim.reason}`);

    // Act
    const completing = jobs.complete({ ...claim.lease, display: 'two\r\nlines' });

    // Assess
    await expect(completing).rejects.toThrow(InvalidTaskSpecError);
    await expect(completing).rejects.toThrow(/display/);
    expect((await jobs.getTask(claim.lease.jobId, claim.lease.taskId)).state).toBe('RUNNING');
  });
});
