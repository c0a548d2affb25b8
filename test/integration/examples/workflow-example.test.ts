import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { describe, expect, inject, it } from 'vitest';
import { MeasureText, MeasureTexts, Summarize } from '../../../examples/workflow.js';
import { ensureTable } from '../../../lambdas/adapters/aws/dynamodb/table-definition.js';
import { automationsTable } from '../../../lambdas/adapters/aws/dynamodb/tables/automations-table.js';
import { jobsTable } from '../../../lambdas/adapters/aws/dynamodb/tables/jobs-table.js';
import { Client } from '../../../lambdas/sdk/client.js';
import { localClients, uniqueName } from '../support/local-aws.js';

describe('examples/workflow.ts (the README example)', () => {
  it('fans out, runs Summarize after every MeasureText and adds up their cached figures', async () => {
    // Prepare
    const clients = localClients();
    const tables = { jobs: uniqueName('ex-jobs'), automations: uniqueName('ex-autos') };
    const cacheBucket = uniqueName('ex-cache');
    await Promise.all([
      ensureTable(clients.dynamodb, jobsTable, tables.jobs),
      ensureTable(clients.dynamodb, automationsTable, tables.automations),
      clients.s3.send(new CreateBucketCommand({ Bucket: cacheBucket })),
    ]);
    const client = Client.fromEndpoints(inject('awsEndpoints'), {
      tables,
      taskQueuePrefix: `${uniqueName('ex')}-`,
      cacheBucket,
      local: true,
    });
    const runner = client.runner({
      tasks: [MeasureTexts, MeasureText, Summarize],
      concurrency: 3,
      waitSeconds: 0,
      handOnDelaySeconds: 0,
      logSink: () => {},
    });

    // Act
    const job = await client.jobs.submit(
      'measure',
      new MeasureTexts({ texts: ['one two three', 'four', 'five six'] }),
    );
    await runner.runAll({ signal: AbortSignal.timeout(25_000) });

    // Assess
    expect((await client.jobs.find(job.jobId))?.state).toBe('COMPLETED');
    const tasks = await client.jobs.tasks(job.jobId);
    const summary = tasks.find((task) => task.identifier.name === 'examples/Summarize');
    expect(summary?.display).toBe('6 words in 3 texts');
    expect(tasks.filter((task) => task.identifier.name === 'examples/MeasureText')).toHaveLength(3);
  });
});
