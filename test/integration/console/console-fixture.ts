import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ConsoleServer, startConsoleServer } from '../../../bin/dev/console/console-server.js';
import { DynamoDbAutomationStore } from '../../../lambdas/adapters/aws/dynamodb-automation-store.js';
import { DynamoDbBatchStore } from '../../../lambdas/adapters/aws/dynamodb-batch-store.js';
import { DynamoDbJobStore } from '../../../lambdas/adapters/aws/dynamodb-job-store.js';
import { createBatchPolicy } from '../../../lambdas/core/batching/batch-thresholds.js';
import type { Automation } from '../../../lambdas/core/ports/automation-store.js';
import type { StoredJob } from '../../../lambdas/core/ports/job-store.js';
import { Client } from '../../../lambdas/sdk/client.js';
import type { ExecutionContext } from '../../../lambdas/sdk/execution-context.js';
import { Task } from '../../../lambdas/sdk/task.js';
import { BatchTask, CronTask, StorageEventTask } from '../../../lambdas/sdk/trigger-tasks.js';
import { createLocalDeployment } from '../support/local-aws.js';

export class Greet extends Task<{ who: string }> {
  static override identifier = { name: 'console/Greet', version: 'v1.0' };
  execute(context: ExecutionContext) {
    context.currentTask.display = `Greet ${this.input.who}`;
  }
}

export class Parent extends Task {
  static override identifier = { name: 'console/Parent', version: 'v1.2' };
  execute(context: ExecutionContext) {
    const first = context.submitSubtask(new Greet({ who: 'alice' }));
    context.submitSubtask(new Greet({ who: 'bob' }), { dependsOn: [first] });
  }
}

class OnText extends StorageEventTask {
  static override identifier = { name: 'console/OnText', version: 'v1.0' };
  execute() {}
}

class Pack extends BatchTask {
  static override identifier = { name: 'console/Pack', version: 'v1.0' };
  execute() {}
}

class Tick extends CronTask {
  static override identifier = { name: 'console/Tick', version: 'v1.0' };
  execute() {}
}

/** What the seed created, to assert against. */
export interface ConsoleSeed {
  readonly storage: Automation;
  readonly batch: Automation;
  readonly cron: Automation;
  readonly disabled: Automation;
  /** A job run to completion: a root with two subtasks, the second depending on the first. */
  readonly completed: StoredJob;
  /** A job whose queue has no runner: stays QUEUED. */
  readonly waiting: StoredJob;
  /** Submitted with the storage automation's id, as the ingest does. */
  readonly automated: StoredJob;
  /** The open batch: 3 objects under `scenes/` of the batch automation. */
  readonly openBatch: { readonly batchId: string; readonly firstEventAt: number };
}

/** A console server on fresh tables, the client and stores behind it, and seeded data. */
export interface ConsoleFixture {
  readonly server: ConsoleServer;
  readonly client: Client;
  readonly jobs: DynamoDbJobStore;
  readonly seed: ConsoleSeed;
  /** Runs the default cluster's queue until drained. */
  runAll(): Promise<void>;
  close(): Promise<void>;
}

export async function createConsoleFixture(): Promise<ConsoleFixture> {
  const { clients, connection } = await createLocalDeployment('console');
  const { tables } = connection;
  const client = Client.fromConnection(connection, clients);
  const jobs = new DynamoDbJobStore({ client: clients.dynamodb, tableName: tables.jobs });
  const automationStore = new DynamoDbAutomationStore({
    client: clients.dynamodb,
    tableName: tables.automations,
  });
  const batches = new DynamoDbBatchStore({ client: clients.dynamodb, tableName: tables.batches });
  const folder = await mkdtemp(join(tmpdir(), 'bucketflow-console-'));
  const runAll = async () => {
    const runner = client.runner({
      tasks: [Parent, Greet],
      waitSeconds: 0,
      handOnDelaySeconds: 0,
      logSink: () => {},
    });
    await runner.runAll();
  };

  const seed = await seedData(client, jobs, automationStore, batches, folder, runAll);
  const server = await startConsoleServer({ client, batches, port: 0 });
  return {
    server,
    client,
    jobs,
    seed,
    runAll,
    close: async () => {
      await server.stop();
      await rm(folder, { recursive: true, force: true });
    },
  };
}

async function seedData(
  client: Client,
  jobs: DynamoDbJobStore,
  automationStore: DynamoDbAutomationStore,
  batches: DynamoDbBatchStore,
  folder: string,
  runAll: () => Promise<void>,
): Promise<ConsoleSeed> {
  await client.storageLocations.register({ name: 'demo', kind: 'local-folder', path: folder });
  const storage = await client.automations.createStorageEvent(
    'text-uploads',
    undefined,
    new OnText(),
    [['demo', '**.txt']],
  );
  const batch = await client.automations.createBatch('scene-packages', {
    location: 'demo',
    prefixDepth: 1,
    count: 5,
    quiet: 600,
    emitEvent: true,
    task: new Pack(),
  });
  const cron = await client.automations.createCron('every-minute', undefined, new Tick(), [
    '* * * * *',
  ]);
  const paused = await client.automations.createCron('paused-report', undefined, new Tick(), [
    '0 2 * * *',
  ]);
  const disabled = await automationStore.setEnabled(paused.id, false);

  const trigger = batch.triggers.batch;
  if (trigger === undefined) throw new Error('batch automation without a batch trigger');
  const firstEventAt = Date.now() - 5_000;
  const applied = await batches.apply(
    {
      automationId: batch.id,
      policy: createBatchPolicy({
        prefixDepth: trigger.prefixDepth,
        count: trigger.count,
        quietSeconds: trigger.quietSeconds,
      }),
      events: ['a.tif', 'b.tif', 'c.tif'].map((name, index) => ({
        bucket: 'demo',
        key: `scenes/${name}`,
        type: 'created' as const,
        time: firstEventAt + index,
        sequencer: `SEQ${index}`,
      })),
    },
    firstEventAt + 2,
  );
  if (applied.failed.length > 0) throw new Error('seeding the open batch failed');
  const open = await batches.findOpen(batch.id, 'demo', 'scenes/');
  if (open === undefined) throw new Error('seeding left no open batch');

  const completed = await client.jobs.submit('parent-job', new Parent());
  await runAll();
  const cluster = await client.clusters.create('idle');
  const waiting = await client.jobs.submit('waiting-job', new Greet({ who: 'nobody' }), {
    cluster: cluster.slug,
  });
  const automated = await jobs.submit({
    name: 'from-automation',
    root: new Greet({ who: 'ingest' }).toSpec({ cluster: cluster.slug }),
    automationId: storage.id,
  });
  return {
    storage,
    batch,
    cron,
    disabled,
    completed: (await client.jobs.find(completed.jobId)) ?? completed,
    waiting,
    automated: automated.job,
    openBatch: { batchId: open.batchId, firstEventAt: open.firstEventAt },
  };
}

/** A request through node:http, which, unlike fetch, may set any Host header. */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string> },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, options, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
