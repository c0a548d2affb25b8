import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbAutomationStore } from '../../../lambdas/adapters/aws/automation-store/dynamodb-automation-store.js';
import type { AwsClients } from '../../../lambdas/adapters/aws/aws-clients.js';
import { DynamoDbBatchStore } from '../../../lambdas/adapters/aws/batch-store/dynamodb-batch-store.js';
import { DynamoDbDeliveryLedger } from '../../../lambdas/adapters/aws/batch-store/dynamodb-delivery-ledger.js';
import { ensureTable } from '../../../lambdas/adapters/aws/dynamodb/table-definition.js';
import { automationsTable } from '../../../lambdas/adapters/aws/dynamodb/tables/automations-table.js';
import { batchesTable } from '../../../lambdas/adapters/aws/dynamodb/tables/batches-table.js';
import { jobsTable } from '../../../lambdas/adapters/aws/dynamodb/tables/jobs-table.js';
import { DynamoDbJobStore } from '../../../lambdas/adapters/aws/job-store/dynamodb-job-store.js';
import { parseTriggerJson } from '../../../lambdas/core/jobs/trigger-payload.js';
import type { Automation } from '../../../lambdas/core/ports/automation-store.js';
import type { BatchRecord } from '../../../lambdas/core/ports/batch-store.js';
import type { BatchToPublish } from '../../../lambdas/core/ports/event-publisher.js';
import { AutomationCatalog } from '../../../lambdas/core/services/automation-catalog.js';
import type { ServiceDependencies } from '../../../lambdas/core/services/service-dependencies.js';
import { createBatchSweepHandler } from '../../../lambdas/handlers/batch-sweep.js';
import { MetricEmitter } from '../../../lambdas/handlers/metric-emitter.js';
import type { HandlerRuntime } from '../../../lambdas/handlers/runtime.js';
import { createS3IngestHandler } from '../../../lambdas/handlers/s3-ingest.js';
import type { TestClock } from '../../support/test-clock.js';
import { localClients, uniqueName } from '../support/local-aws.js';

/** The tables of a batching world on the local servers, and stores on them. */
export interface BatchTables {
  readonly names: { readonly jobs: string; readonly automations: string; readonly batches: string };
  /** Clients no test middleware touches: setup and checks. */
  readonly plain: AwsClients;
  readonly automations: DynamoDbAutomationStore;
  readonly location: string;
  readonly bucket: string;
  /** The clock of the world, for stores made on the plain clients. */
  readonly clock: TestClock;
}

/** Creates the three tables and registers one S3 location. */
export async function createBatchTables(clock: TestClock): Promise<BatchTables> {
  const plain = localClients();
  const names = {
    jobs: uniqueName('jobs'),
    automations: uniqueName('automations'),
    batches: uniqueName('batches'),
  };
  await Promise.all([
    ensureTable(plain.dynamodb, jobsTable, names.jobs),
    ensureTable(plain.dynamodb, automationsTable, names.automations),
    ensureTable(plain.dynamodb, batchesTable, names.batches),
  ]);
  const automations = new DynamoDbAutomationStore({
    client: plain.dynamodb,
    tableName: names.automations,
    clock,
  });
  const bucket = uniqueName('bucket');
  await automations.registerLocation({ name: 'lake', kind: 's3', bucket });
  return { names, plain, automations, location: 'lake', bucket, clock };
}

/** An event published, with the invocation that published it. */
export interface PublishedBatch {
  readonly by: string | undefined;
  readonly batch: BatchToPublish;
}

export interface WorldOptions {
  readonly clock: TestClock;
  /** The client the handlers' stores use (the test may put middleware on it). */
  readonly client: AwsClients['dynamodb'];
  /** The enabled automations of the world (a batch automation, maybe others). */
  readonly automations: readonly Automation[];
  /** Who is running, for the publish log. */
  readonly actor?: () => string | undefined;
  /** Called before and after an event is recorded as published; may throw (a refused PutEvents). */
  readonly onPublish?: (when: 'before' | 'after') => void;
  readonly randomBytes?: (size: number) => Uint8Array;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Index partitions of the sweep queues. @default the store's */
  readonly shards?: number;
  /** Receives what the services did. */
  readonly observe?: ServiceDependencies['observe'];
  /** Where tasks go. @default nowhere (no runner) */
  readonly taskQueue?: ServiceDependencies['taskQueue'];
}

/** Handlers of one batch automation on the tables, with an in-memory bus and no task queue. */
export interface BatchWorld {
  readonly ingest: ReturnType<typeof createS3IngestHandler>;
  readonly sweep: ReturnType<typeof createBatchSweepHandler>;
  readonly published: PublishedBatch[];
  readonly deps: ServiceDependencies;
}

/** Builds the handlers of one automation over `client`; tasks are sent only to `taskQueue`. */
export function createBatchWorld(tables: BatchTables, options: WorldOptions): BatchWorld {
  const { clock, client } = options;
  const published: PublishedBatch[] = [];
  const deps: ServiceDependencies = {
    jobs: new DynamoDbJobStore({ client, tableName: tables.names.jobs, clock }),
    batches: new DynamoDbBatchStore({
      client,
      tableName: tables.names.batches,
      clock,
      ...(options.randomBytes ? { randomBytes: options.randomBytes } : {}),
      ...(options.sleep ? { sleep: options.sleep } : {}),
      ...(options.shards ? { shards: options.shards } : {}),
    }),
    membersTable: tables.names.batches,
    taskQueue: options.taskQueue ?? {
      send: async () => {},
      depth: async () => {
        throw new Error('the batch world has no task queue: tasks go nowhere');
      },
    },
    eventPublisher: {
      publishBatchReady: async (batches) => {
        options.onPublish?.('before');
        published.push(...batches.map((batch) => ({ by: options.actor?.(), batch })));
        options.onPublish?.('after');
      },
    },
    ...(options.observe ? { observe: options.observe } : {}),
  };
  const catalog = Promise.resolve(
    new AutomationCatalog(options.automations, [
      { name: tables.location, kind: 's3', bucket: tables.bucket },
    ]),
  );
  const runtime: HandlerRuntime = {
    deps,
    automations: tables.automations,
    deliveries: new DynamoDbDeliveryLedger({ client, tableName: tables.names.batches }),
    logger: new Logger({ serviceName: 'bucketflow-test' }),
    metrics: new MetricEmitter(
      new Metrics({ namespace: 'BucketflowTest', serviceName: 'bucketflow-test' }),
    ),
    clock,
    flushTraces: async () => undefined,
    catalog: () => catalog,
  };
  return {
    ingest: createS3IngestHandler(runtime),
    sweep: createBatchSweepHandler(runtime),
    published,
    deps,
  };
}

/** Every closed batch of an automation, read with a Scan (tests only) and plain clients. */
export async function closedBatches(
  tables: BatchTables,
  automationId: string,
): Promise<BatchRecord[]> {
  const store = plainStore(tables);
  const ids: string[] = [];
  let start: Record<string, never> | undefined;
  do {
    const page = await tables.plain.dynamodb.send(
      new ScanCommand({
        TableName: tables.names.batches,
        FilterExpression: 'automationId = :a AND sk = :head AND begins_with(pk, :b)',
        ExpressionAttributeValues: {
          ':a': { S: automationId },
          ':head': { S: 'HEAD' },
          ':b': { S: 'B#' },
        },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) if (item.batchId?.S) ids.push(item.batchId.S);
    start = page.LastEvaluatedKey as Record<string, never> | undefined;
  } while (start !== undefined);
  const records = await Promise.all(ids.map((id) => store.findClosed(id)));
  return records.flatMap((record) => (record ? [record] : []));
}

/** The batch jobs of an automation: per batch id, how many jobs, and the first one's members. */
export async function batchJobs(
  tables: BatchTables,
  automationId: string,
  range: { from: number; to: number },
): Promise<Map<string, { jobs: number; count: number; members: string[] }>> {
  const jobs = new DynamoDbJobStore({
    client: tables.plain.dynamodb,
    tableName: tables.names.jobs,
  });
  const store = plainStore(tables);
  const byBatch = new Map<string, { jobs: number; count: number; members: string[] }>();
  let cursor: string | undefined;
  do {
    const page = await jobs.queryJobs({ ...range, automationId, limit: 1000, cursor });
    for (const job of page.jobs) {
      const trigger = parseTriggerJson(JSON.parse(job.triggerJson ?? '{}'));
      if (trigger.kind !== 'batch') continue;
      const known = byBatch.get(trigger.batchId);
      if (known) {
        known.jobs++;
        continue;
      }
      const members =
        trigger.members.location === 'inline'
          ? [...(trigger.keys ?? [])]
          : await store.readMembers(trigger.members.batchId);
      byBatch.set(trigger.batchId, { jobs: 1, count: trigger.count, members });
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return byBatch;
}

/** A batch store on the plain clients. */
export function plainStore(tables: BatchTables): DynamoDbBatchStore {
  return new DynamoDbBatchStore({
    client: tables.plain.dynamodb,
    tableName: tables.names.batches,
    clock: tables.clock,
  });
}
