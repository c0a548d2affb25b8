import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ConsoleServer, startConsoleServer } from '../../../bin/dev/console/console-server.js';
import { DynamoDbAutomationStore } from '../../../lambdas/adapters/aws/automation-store/dynamodb-automation-store.js';
import { DynamoDbBatchStore } from '../../../lambdas/adapters/aws/batch-store/dynamodb-batch-store.js';
import { DynamoDbJobStore } from '../../../lambdas/adapters/aws/job-store/dynamodb-job-store.js';
import { DynamoDbRunnerRegistry } from '../../../lambdas/adapters/aws/job-store/dynamodb-runner-registry.js';
import { SqsTaskQueue } from '../../../lambdas/adapters/aws/queues/sqs-task-queue.js';
import { LocalTaskLog } from '../../../lambdas/adapters/local/local-task-log.js';
import { DEFAULT_CLUSTER_SLUG } from '../../../lambdas/core/automations/cluster-slug.js';
import { createBatchPolicy } from '../../../lambdas/core/batching/batch-thresholds.js';
import type { Automation } from '../../../lambdas/core/ports/automation-store.js';
import type { StoredJob } from '../../../lambdas/core/ports/job-store.js';
import { Client } from '../../../lambdas/sdk/client.js';
import { identifierOf } from '../../../lambdas/sdk/task.js';
import { createLocalDeployment } from '../support/local-aws.js';
import { Flaky, Greet, HOSTILE_KEY, OnText, Pack, Parent, Tick } from './console-tasks.js';

export { FLAKY_ERROR, Greet, HOSTILE_KEY } from './console-tasks.js';

/** The runner the seed announces on the default cluster. */
export const RUNNER_ID = 'runner-console-1';

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
  /** A job whose only task failed both its attempts (maxRetries 1). */
  readonly failed: StoredJob;
  /** Submitted by the storage automation for {@link HOSTILE_KEY}; its display has a line break. */
  readonly keyed: StoredJob;
  /** Submitted by the batch automation for a closed batch of two members. */
  readonly batched: StoredJob;
  /** Submitted by the cron automation for one fire time. */
  readonly fired: StoredJob;
}

/** A console server on fresh tables, the client and stores behind it, and seeded data. */
export interface ConsoleFixture {
  readonly server: ConsoleServer;
  readonly client: Client;
  readonly jobs: DynamoDbJobStore;
  readonly runners: DynamoDbRunnerRegistry;
  readonly seed: ConsoleSeed;
  /** The console's clock: the wall clock unless a test fixes `fixed` (epoch ms). */
  readonly clock: { fixed: number | undefined };
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
  const runners = new DynamoDbRunnerRegistry({ client: clients.dynamodb, tableName: tables.jobs });
  const queue = new SqsTaskQueue({ client: clients.sqs, prefix: connection.taskQueuePrefix });
  const folder = await mkdtemp(join(tmpdir(), 'bucketflow-console-'));
  const taskLog = new LocalTaskLog(folder);
  const runAll = async () => {
    const runner = client.runner({
      tasks: [Parent, Greet, Flaky],
      waitSeconds: 0,
      handOnDelaySeconds: 0,
      logSink: taskLog.sink,
    });
    await runner.runAll();
  };

  const seed = await seedData(client, jobs, automationStore, batches, folder, runAll);
  // runAll withdraws its runner at the end; this one stays, as a long-running runner would.
  await runners.announce(
    {
      runnerId: RUNNER_ID,
      cluster: DEFAULT_CLUSTER_SLUG,
      identifiers: [identifierOf(Parent), identifierOf(Greet)],
      kind: 'process',
    },
    15 * 60_000,
  );
  const clock: { fixed: number | undefined } = { fixed: undefined };
  const server = await startConsoleServer({
    client,
    batches,
    runners,
    queueDepth: (route) => queue.depth(route),
    taskLogs: (query) => taskLog.read(query),
    now: () => clock.fixed ?? Date.now(),
    port: 0,
  });
  return {
    server,
    client,
    jobs,
    runners,
    seed,
    clock,
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

  // A millisecond apart at least, so that newest-first order is the order of submission.
  const later = () => new Promise((resolve) => setTimeout(resolve, 2));
  const completed = await client.jobs.submit('parent-job', new Parent());
  await runAll();
  const cluster = await client.clusters.create('idle');
  const waiting = await client.jobs.submit('waiting-job', new Greet({ who: 'nobody' }), {
    cluster: cluster.slug,
  });
  await later();
  const failed = await client.jobs.submit('flaky-job', new Flaky({ disk: '/dev/sda1' }), {
    maxRetries: 1,
  });
  await runAll();
  const triggered = async (name: string, automationId: string, trigger: unknown) => {
    await later();
    return jobs.submit({
      name,
      root: new Greet({ who: name }).toSpec({ cluster: cluster.slug }),
      automationId,
      trigger,
    });
  };
  const eventTime = new Date(firstEventAt).toISOString();
  const fired = await triggered('cron-fired', cron.id, {
    kind: 'cron',
    fireTime: new Date(Math.floor(firstEventAt / 60_000) * 60_000).toISOString(),
    expression: '* * * * *',
    timezone: 'UTC',
  });
  const batched = await triggered('batch-closed', batch.id, {
    kind: 'batch',
    batchId: '01JNB7Q4W8ZK3M5T2V9XG6H1CD',
    bucket: 'demo',
    prefix: 'tiles/',
    count: 2,
    reason: 'count',
    members: { location: 'inline' },
    keys: ['tiles/a.tif', 'tiles/b.tif'],
    firstEventAt: eventTime,
    lastEventAt: eventTime,
  });
  await later();
  const keyed = await jobs.submit({
    name: 'hostile-key',
    root: {
      ...new Greet({ who: HOSTILE_KEY }).toSpec({ cluster: cluster.slug }),
      display: 'first line\n<b>second</b> line',
    },
    automationId: storage.id,
    trigger: {
      kind: 'storage',
      type: 'created',
      location: 'demo',
      bucket: 'demo',
      key: HOSTILE_KEY,
      size: 12,
      eventTime,
    },
  });
  await later();
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
    failed: (await client.jobs.find(failed.jobId)) ?? failed,
    keyed: keyed.job,
    batched: batched.job,
    fired: fired.job,
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
