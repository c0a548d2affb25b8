import { Logger } from '@aws-lambda-powertools/logger';
import { createAwsClients, destroyAwsClients } from '../lambdas/adapters/aws/aws-clients.js';
import { ensureTable } from '../lambdas/adapters/aws/dynamodb/table-definition.js';
import { automationsTable } from '../lambdas/adapters/aws/dynamodb/tables/automations-table.js';
import { batchesTable } from '../lambdas/adapters/aws/dynamodb/tables/batches-table.js';
import { jobsTable } from '../lambdas/adapters/aws/dynamodb/tables/jobs-table.js';
import { taskQueueName } from '../lambdas/adapters/aws/queues/task-queue-names.js';
import { RequestAccounting } from '../lambdas/adapters/aws/request-accounting.js';
import { startLocalServers } from '../lambdas/adapters/local/local-servers.js';
import { taskRouteOf } from '../lambdas/core/jobs/task-routing.js';
import type { HandlerConfig } from '../lambdas/handlers/config.js';
import { createHandlerRuntime } from '../lambdas/handlers/runtime.js';
import { createS3IngestHandler } from '../lambdas/handlers/s3-ingest.js';
import { createTaskRunnerHandler } from '../lambdas/handlers/task-runner.js';
import { identifierOf } from '../lambdas/sdk/task.js';
import {
  INGEST_FUNCTION_MEMORY_MB,
  TASK_RUNNER_BATCH_SIZE,
  TASK_RUNNER_MEMORY_MB,
} from '../lib/constants.js';
import { DynamoDbItemLedger } from './dynamodb-item-ledger.js';
import { type BenchSection, fmt } from './harness.js';
import { BUCKET, ingestInvocation, T0 } from './request-cost-fixtures.js';
import { AwsBilling } from './support/aws-billing.js';
import { CostMeter, gbSeconds, LIST_PRICES, type ScenarioCost } from './support/cost-model.js';
import {
  BenchBatch,
  BenchFan,
  BenchJob,
  BenchLeaf,
  BenchObject,
  FAN_OUT,
} from './support/cost-tasks.js';
import { LambdaPoller } from './support/lambda-poller.js';

/** Objects, events or jobs per scenario: enough to amortise batched calls as in steady state. */
const UNITS = 200;
/** Goals of issue 13, in USD per million units. */
const GOALS: Record<string, number> = { storageAutomationPerObject: 6, unmatchedEvent: 1.1 };
const TASK_CLASSES = [BenchObject, BenchBatch, BenchJob, BenchFan, BenchLeaf];
/** Goals of issue 13 for a single-task job's lifecycle (per job, amortized over the scenario). */
const SINGLE_TASK_JOB_LIMITS = { awsWriteUnits: 10, sqsRequests: 1 } as const;
/** Submits in flight in the bulk-client scenario; one-at-a-time awaits each job before the next. */
const SUBMITTERS = 10;

/**
 * What one object, event, job or task costs on AWS, per scenario, through
 * the real ingest and Lambda runner handlers against the local servers:
 * DynamoDB units as AWS bills them (from item sizes), the SQS requests of the
 * product and of the AWS services around it (EventBridge's sends to the
 * ingest queue, Lambda's polls and deletes, emulated), Lambda GB-seconds at
 * the functions' memory sizes, and the total at list prices.
 */
export async function run(): Promise<BenchSection[]> {
  // The handlers' metric lines (EMF on stdout) would bury the table; the bench counts its own.
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const servers = await startLocalServers();
  const clients = createAwsClients(servers.endpoints, { local: true });
  const outside = createAwsClients(servers.endpoints, { local: true });
  try {
    const stamp = `${Date.now().toString(36)}${process.pid}`;
    const config: HandlerConfig = {
      region: servers.endpoints.region,
      tables: {
        jobs: `cost-jobs-${stamp}`,
        automations: `cost-automations-${stamp}`,
        batches: `cost-batches-${stamp}`,
      },
      eventBusName: 'cost-bus',
      taskQueuePrefix: `cost-${stamp}-`,
      taskQueueMaxReceiveCount: 5,
    };
    const definitions = new Map([
      [config.tables.jobs, jobsTable],
      [config.tables.automations, automationsTable],
      [config.tables.batches, batchesTable],
    ]);
    await Promise.all(
      [...definitions].map(([name, table]) => ensureTable(clients.dynamodb, table, name)),
    );
    let published = 0;
    let now = T0;
    const runtime = createHandlerRuntime(config, clients, {
      clock: () => now,
      eventPublisher: {
        publishBatchReady: async (batches) => {
          published += batches.length;
        },
      },
      logger: new Logger({ serviceName: 'bench', logLevel: 'SILENT' }),
    });
    const ledger = new DynamoDbItemLedger({
      billing: new AwsBilling(outside.dynamodb, definitions),
    }).attach(clients.dynamodb);
    const meter = new CostMeter(ledger, new RequestAccounting().attach(clients));
    const poller = new LambdaPoller(outside.sqs);
    const ingest = createS3IngestHandler(runtime);
    const runner = createTaskRunnerHandler({
      tasks: TASK_CLASSES,
      cluster: 'default',
      config,
      clients,
      logger: new Logger({ serviceName: 'bench', logLevel: 'SILENT' }),
    });
    const queues = TASK_CLASSES.map((task) =>
      taskQueueName(taskRouteOf('default', identifierOf(task)), config.taskQueuePrefix),
    );
    await runtime.automations.registerLocation({ name: 'demo', kind: 's3', bucket: BUCKET });
    const storage = await runtime.automations.create({
      name: 'cost-storage',
      task: { identifier: identifierOf(BenchObject), input: {} },
      triggers: { storage: [{ location: 'demo', glob: '**.txt' }] },
    });

    /** One scenario: `act` runs it, then Lambda runners drain the task queues. */
    const scenario = async (
      units: number,
      act: () => Promise<{ ingestMs?: number; ingestInvocations?: number; ingestEvents?: number }>,
    ): Promise<ScenarioCost> => {
      now += 3_600_000;
      await runtime.catalog(now);
      meter.reset();
      poller.reset();
      published = 0;
      const ingested = await act();
      await poller.drain(queues, runner, TASK_RUNNER_BATCH_SIZE);
      const events = ingested.ingestEvents ?? 0;
      return meter.perUnit(units, {
        // EventBridge sends each event to the ingest queue; Lambda receives and deletes 10 a call.
        sqsRequests:
          events + 2 * Math.ceil(events / 10) + poller.usage.receives + poller.usage.deletes,
        eventBridgeEvents: published,
        lambdaGbSeconds:
          gbSeconds(ingested.ingestMs ?? 0, INGEST_FUNCTION_MEMORY_MB) +
          gbSeconds(poller.usage.functionMs, TASK_RUNNER_MEMORY_MB),
        lambdaRequests: (ingested.ingestInvocations ?? 0) + poller.usage.invocations,
      });
    };
    let round = 0;
    const ingestRound = async (extension: string, prefixes: number) => {
      const event = ingestInvocation(++round, extension, { events: UNITS, prefixes });
      const start = performance.now();
      const response = await ingest(event);
      if (response.batchItemFailures.length > 0) throw new Error('ingest reported failures');
      return { ingestMs: performance.now() - start, ingestInvocations: 1, ingestEvents: UNITS };
    };
    const batchAutomation = async (count: number) => {
      await runtime.automations.setEnabled(storage.id, false);
      const batching = await runtime.automations.create({
        name: `cost-batch-${count}`,
        task: { identifier: identifierOf(BenchBatch), input: {} },
        triggers: { batch: { location: 'demo', prefixDepth: 2, count, quietSeconds: 300 } },
      });
      const cost = await scenario(UNITS, () => ingestRound('csv', UNITS / count));
      await runtime.automations.setEnabled(batching.id, false);
      return cost;
    };

    const costs: Record<string, ScenarioCost> = {};
    // Warm-up: the route queues and the runner's registration exist before anything is measured.
    await scenario(UNITS, () => ingestRound('txt', 20));
    costs.storageAutomationPerObject = await scenario(UNITS, () => ingestRound('txt', 20));
    costs.unmatchedEvent = await scenario(UNITS, () => ingestRound('bin', 20));
    costs.batchAutomationPerEvent20 = await batchAutomation(20);
    costs.batchAutomationPerEvent1 = await batchAutomation(1);
    const submitJobs = async (submitters: number) => {
      round++;
      let next = 0;
      await Promise.all(
        Array.from({ length: submitters }, async () => {
          for (let i = next++; i < UNITS; i = next++) {
            const submitted = await runtime.deps.jobs.submit({
              name: 'cost-job',
              root: new BenchJob({ n: i }).toSpec(),
              idempotencyKey: `cost:job:${round}:${i}`,
            });
            await runtime.deps.taskQueue.send(submitted.runnable);
          }
        }),
      );
      return {};
    };
    costs.singleTaskJob = await scenario(UNITS, () => submitJobs(SUBMITTERS));
    costs.singleTaskJobOneAtATime = await scenario(UNITS, () => submitJobs(1));
    const fanJobs = 4;
    costs.fanOutTask = await scenario(fanJobs * FAN_OUT, async () => {
      for (let i = 0; i < fanJobs; i++) {
        const submitted = await runtime.deps.jobs.submit({
          name: 'cost-fan',
          root: new BenchFan({ n: i }).toSpec(),
        });
        await runtime.deps.taskQueue.send(submitted.runnable);
      }
      return {};
    });
    return [costSection(costs)];
  } finally {
    destroyAwsClients(clients);
    destroyAwsClients(outside);
    await servers.stop();
  }
}

function costSection(costs: Record<string, ScenarioCost>): BenchSection {
  return {
    title: `AWS cost per unit at list prices (${LIST_PRICES.region}, ${LIST_PRICES.date})`,
    rows: Object.entries(costs).map(([name, cost]) => ({
      scenario: name,
      'AWS WU': fmt(cost.awsWriteUnits, 2),
      'local WU': fmt(cost.localWriteUnits, 2),
      'AWS RU': fmt(cost.awsReadUnits, 2),
      'DDB req': fmt(cost.dynamodbRequests, 2),
      'SQS req': fmt(cost.sqsRequests, 2),
      'EB events': fmt(cost.eventBridgeEvents, 3),
      'Lambda GB-s': fmt(cost.lambdaGbSeconds, 5),
      'Lambda req': fmt(cost.lambdaRequests, 3),
      'USD/million': fmt(cost.usdPerMillion, 2),
    })),
    checks: [
      ...Object.entries(GOALS).map(([name, goal]) => {
        const usd = costs[name]?.usdPerMillion ?? Number.POSITIVE_INFINITY;
        return {
          name: `${name} at most $${goal} per million`,
          pass: usd <= goal,
          detail: `$${fmt(usd, 2)}`,
        };
      }),
      limitCheck(costs.singleTaskJob, 'awsWriteUnits', SINGLE_TASK_JOB_LIMITS.awsWriteUnits),
      limitCheck(costs.singleTaskJob, 'sqsRequests', SINGLE_TASK_JOB_LIMITS.sqsRequests),
    ],
    notes: [
      `units: storage automation and unmatched event per S3 object event; batch automations per event (batches of 20 and of 1); singleTaskJob per job (submit with idempotency key, claim, complete) from a client with ${SUBMITTERS} submits in flight, whose task sends share batch calls; singleTaskJobOneAtATime the same from a client that awaits each job before the next (one SendMessageBatch per job); fanOutTask per subtask of a root that fans out into 64`,
      'SQS counts the product’s requests plus EventBridge’s sends to the ingest queue (1 per event) and Lambda’s event source mappings (1 ReceiveMessage per non-empty poll, 1 DeleteMessageBatch per received batch); idle polling is priced in docs/data-model/queues-events-storage.md',
      'Lambda GB-s are the handlers’ wall time on this machine against the local servers at the functions’ memory sizes: an upper bound for AWS, where DynamoDB answers faster',
      'local WU: what DynamoDB Local reported (it under-reports transactions); never an AWS cost',
    ],
    costs,
  };
}

function limitCheck(
  cost: ScenarioCost | undefined,
  field: 'awsWriteUnits' | 'sqsRequests',
  limit: number,
): { name: string; pass: boolean; detail: string } {
  const value = cost?.[field] ?? Number.POSITIVE_INFINITY;
  return {
    name: `singleTaskJob at most ${limit} ${field === 'awsWriteUnits' ? 'AWS write units' : 'SQS requests'} per job`,
    pass: value <= limit,
    detail: fmt(value, 2),
  };
}
