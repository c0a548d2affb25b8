import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createAwsClients, destroyAwsClients } from '../lambdas/adapters/aws/aws-clients.js';
import { ensureTable } from '../lambdas/adapters/aws/dynamodb/table-definition.js';
import { automationsTable } from '../lambdas/adapters/aws/dynamodb/tables/automations-table.js';
import { batchesTable } from '../lambdas/adapters/aws/dynamodb/tables/batches-table.js';
import { jobsTable } from '../lambdas/adapters/aws/dynamodb/tables/jobs-table.js';
import { RequestAccounting } from '../lambdas/adapters/aws/request-accounting.js';
import { startLocalServers } from '../lambdas/adapters/local/local-servers.js';
import { taskIdentifier } from '../lambdas/core/jobs/task-identifier.js';
import type { BatchToPublish } from '../lambdas/core/ports/event-publisher.js';
import type { HandlerConfig } from '../lambdas/handlers/config.js';
import { createHandlerRuntime } from '../lambdas/handlers/runtime.js';
import { createS3IngestHandler } from '../lambdas/handlers/s3-ingest.js';
import { DynamoDbItemLedger } from './dynamodb-item-ledger.js';
import { type BenchSection, fmt } from './harness.js';
import {
  BUCKET,
  EVENTS,
  ingestInvocation,
  naiveBatching,
  naiveTable,
  PREFIXES,
  SqsEntryCounter,
  T0,
} from './request-cost-fixtures.js';
import { AwsBilling } from './support/aws-billing.js';
import { measureTaskLifecycle } from './task-lifecycle-cost.js';

/** The issue's target for the whole batching path (dedupe, header, members, closes, dispatch). */
const TARGET_WRITE_UNITS_PER_EVENT = 1;
const SQS_BATCH_MAX_ENTRIES = 10;
const OPERATIONS = [
  'UpdateItem',
  'GetItem',
  'TransactWriteItems',
  'BatchWriteItem',
  'PutItem',
  'Query',
];

/**
 * Requests and DynamoDB capacity of the real ingest handler and job store
 * against the local servers (DynamoDB Local reports capacity as AWS bills
 * it), per 1,000 S3 events over 20 prefixes in one invocation, compared with
 * a naive design measured in the same run.
 */
export async function run(): Promise<BenchSection[]> {
  const servers = await startLocalServers();
  const clients = createAwsClients(servers.endpoints, { local: true });
  // Reads items before and after each request to bill it; its own requests are not counted.
  const shadow = createAwsClients(servers.endpoints, { local: true });
  try {
    const stamp = `${Date.now().toString(36)}${process.pid}`;
    const config: HandlerConfig = {
      region: servers.endpoints.region,
      tables: {
        jobs: `bench-jobs-${stamp}`,
        automations: `bench-automations-${stamp}`,
        batches: `bench-batches-${stamp}`,
      },
      eventBusName: 'bench-bus',
      taskQueuePrefix: `bench-${stamp}-`,
      taskQueueMaxReceiveCount: 5,
    };
    const naiveName = `bench-naive-${stamp}`;
    await Promise.all([
      ensureTable(clients.dynamodb, jobsTable, config.tables.jobs),
      ensureTable(clients.dynamodb, automationsTable, config.tables.automations),
      ensureTable(clients.dynamodb, batchesTable, config.tables.batches),
      ensureTable(clients.dynamodb, naiveTable, naiveName),
    ]);
    const published: BatchToPublish[] = [];
    let publishCalls = 0;
    let now = T0;
    const runtime = createHandlerRuntime(config, clients, {
      clock: () => now,
      eventPublisher: {
        publishBatchReady: async (batches) => {
          publishCalls++;
          published.push(...batches);
        },
      },
      logger: new Logger({ serviceName: 'bench', logLevel: 'SILENT' }),
      metrics: silentMetrics(),
    });
    const accounting = new RequestAccounting().attach(clients);
    const ledger = new DynamoDbItemLedger({
      billing: new AwsBilling(
        shadow.dynamodb,
        new Map([
          [config.tables.jobs, jobsTable],
          [config.tables.automations, automationsTable],
          [config.tables.batches, batchesTable],
          [naiveName, naiveTable],
        ]),
      ),
    }).attach(clients.dynamodb);
    const sqsEntries = new SqsEntryCounter().attach(clients.sqs);
    const handler = createS3IngestHandler(runtime);

    await runtime.automations.registerLocation({ name: 'demo', kind: 's3', bucket: BUCKET });
    const task = { identifier: { name: 'BenchTask', version: 'v1.0' }, input: {} };
    await runtime.automations.create({
      name: 'bench-txt',
      task,
      triggers: { storage: [{ location: 'demo', glob: '**.txt' }] },
    });
    const batching = await runtime.automations.create({
      name: 'bench-batches',
      task,
      triggers: { batch: { location: 'demo', prefixDepth: 2, count: 20, quietSeconds: 300 } },
    });
    // Creates the default cluster's queue, which the first send would otherwise create mid-measurement.
    const warm = await runtime.deps.jobs.submit({
      name: 'warm-up',
      root: { identifier: taskIdentifier('Warm'), input: {} },
    });
    await runtime.deps.taskQueue.send(warm.runnable);

    const snapshot = (scenario: string, events: number, baselineWu?: number) => {
      // As AWS bills them (from item sizes); DynamoDB Local's report is shown beside.
      const writeUnits = ledger.billedUnits().awsWriteUnits;
      const sends = accounting.requests('sqs', 'SendMessageBatch');
      return {
        writeUnits,
        sends,
        messages: sqsEntries.messages,
        row: {
          scenario,
          'DDB requests': accounting.total('dynamodb').requests,
          ...Object.fromEntries(OPERATIONS.map((op) => [op, accounting.requests('dynamodb', op)])),
          'AWS WU': fmt(writeUnits, 1),
          'local WU': fmt(accounting.writeUnits(), 1),
          'WU/event': fmt(writeUnits / events, 3),
          RU: fmt(accounting.readUnits(), 1),
          'SQS sends': sends,
          'SQS msgs': sqsEntries.messages,
          'SQS other': accounting.total('sqs').requests - sends,
          'EB requests': accounting.total('eventbridge').requests,
          'ready events': `${published.length} in ${publishCalls} calls`,
          'WU vs naive': baselineWu ? `${fmt(writeUnits / baselineWu, 3)}x` : '1x',
        } as Record<string, string | number>,
      };
    };
    const reset = async (at: number) => {
      now = at;
      await runtime.catalog(at);
      accounting.reset();
      ledger.reset();
      sqsEntries.messages = 0;
      published.length = 0;
      publishCalls = 0;
    };
    const headerWrites = () =>
      ledger.maxWritesPerItem(
        (write) =>
          write.ok &&
          write.table === config.tables.batches &&
          write.pk.startsWith('G#') &&
          write.sk === 'HEAD',
      );

    await reset(T0);
    await naiveBatching(clients.dynamodb, naiveName);
    const naive = snapshot('naive: PutItem + UpdateItem per event', EVENTS);

    const ingest = async (label: string, at: number, round: number, extension: string) => {
      await reset(at);
      const response = await handler(ingestInvocation(round, extension));
      const batchesWu = ledger.capacity(config.tables.batches).write;
      // Delivery-ledger claims (issue 14): one single-item UpdateItem of a small item each,
      // 1 billed WU, on the batches table beside the batching items.
      const claims = ledger.writes.filter(
        (write) => write.table === config.tables.batches && write.pk.startsWith('D#'),
      ).length;
      return {
        ...snapshot(label, EVENTS, naive.writeUnits),
        failures: response.batchItemFailures.length,
        headers: headerWrites(),
        batchesWu,
        claims,
        readyEvents: published.length,
      };
    };
    const first = await ingest('batching: first invocation (.csv)', T0 + 30_000, 0, 'csv');
    const next = await ingest('batching: next invocation (.csv)', T0 + 90_000, 1, 'csv');
    await runtime.automations.setEnabled(batching.id, false);
    const perEvent = await ingest('job per event (.txt, batching off)', T0 + 200_000, 2, 'txt');

    const lifecycle = await measureTaskLifecycle(
      runtime.deps.jobs,
      accounting,
      ledger,
      naiveName,
      clients,
      config.tables.jobs,
    );

    const batchingRuns = [first, next];
    const worstWu = Math.max(...batchingRuns.map((r) => r.writeUnits)) / EVENTS;
    const sqsCheck = (r: { sends: number; messages: number }) =>
      r.sends <= Math.ceil(r.messages / SQS_BATCH_MAX_ENTRIES);
    return [
      {
        title: `Ingest handler: ${fmt(EVENTS)} S3 events over ${PREFIXES} prefixes in one invocation`,
        rows: [naive.row, first.row, next.row, perEvent.row],
        checks: [
          {
            name: 'batching: write units per event, whole path (members and dispatch included)',
            pass: worstWu <= TARGET_WRITE_UNITS_PER_EVENT,
            detail: `worst ${fmt(worstWu, 3)} WU/event (target <= ${TARGET_WRITE_UNITS_PER_EVENT}); batches table ${batchingRuns.map((r) => `${fmt(r.batchesWu / EVENTS, 3)} = batching ${fmt((r.batchesWu - r.claims) / EVENTS, 3)} + delivery ledger ${fmt(r.claims / EVENTS, 3)}`).join(' / ')}; ${fmt(naive.writeUnits / first.writeUnits, 1)}x fewer than naive`,
          },
          {
            name: 'batching: one header update per (automation, prefix) per invocation',
            pass: batchingRuns.every((r) => r.headers.max === 1 && r.headers.items === PREFIXES),
            detail: batchingRuns
              .map(
                (r) =>
                  `${r.headers.items} headers, at most ${r.headers.max} successful write(s) each`,
              )
              .join(' / '),
          },
          {
            name: 'SQS sends batched 10 per call (one cluster)',
            pass: [...batchingRuns, perEvent].every(sqsCheck),
            detail: [...batchingRuns, perEvent]
              .map(
                (r) =>
                  `${r.sends} SendMessageBatch for ${r.messages} messages (ideal ${Math.ceil(r.messages / SQS_BATCH_MAX_ENTRIES)})`,
              )
              .join(' / '),
          },
          {
            name: 'no delivery reported failed',
            pass: [...batchingRuns, perEvent].every((r) => r.failures === 0),
            detail: [...batchingRuns, perEvent].map((r) => r.failures).join(' / '),
          },
        ],
      },
      lifecycle,
    ];
  } finally {
    destroyAwsClients(clients);
    destroyAwsClients(shadow);
    await servers.stop();
  }
}

/** Metrics that publish nothing: the bench must not print EMF lines. */
function silentMetrics(): Metrics {
  const previous = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  try {
    return new Metrics({ namespace: 'Bench', serviceName: 'bench' });
  } finally {
    if (previous === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
    else process.env.POWERTOOLS_METRICS_DISABLED = previous;
  }
}
