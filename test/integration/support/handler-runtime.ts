import { ensureTable } from '../../../lambdas/adapters/aws/dynamodb/table-definition.js';
import { automationsTable } from '../../../lambdas/adapters/aws/dynamodb/tables/automations-table.js';
import { batchesTable } from '../../../lambdas/adapters/aws/dynamodb/tables/batches-table.js';
import { jobsTable } from '../../../lambdas/adapters/aws/dynamodb/tables/jobs-table.js';
import type { BatchToPublish } from '../../../lambdas/core/ports/event-publisher.js';
import type { HandlerConfig } from '../../../lambdas/handlers/config.js';
import {
  createHandlerRuntime,
  type HandlerRuntime,
  type RuntimeOptions,
} from '../../../lambdas/handlers/runtime.js';
import type { TestClock } from '../../support/test-clock.js';
import { localClients, uniqueName } from './local-aws.js';

export interface TestRuntime {
  readonly runtime: HandlerRuntime;
  readonly config: HandlerConfig;
  /** `objects-batch-ready` events the runtime published, in order. */
  readonly published: BatchToPublish[];
  readonly clients: ReturnType<typeof localClients>;
}

export interface TestRuntimeOptions {
  /** The clock of the test world: the handlers, stores and queue all read it. @default Date.now */
  readonly clock?: TestClock;
  /** Spans of ingest and job submits (`startTracing`). @default none */
  readonly tracing?: RuntimeOptions['tracing'];
}

/**
 * A handler runtime on the local servers with its own tables and task queue
 * prefix, publishing batch-ready events into an array (there is no local
 * EventBridge; the publisher itself is tested against a PutEvents fake).
 */
export async function createTestRuntime(options: TestRuntimeOptions = {}): Promise<TestRuntime> {
  const clients = localClients();
  const config: HandlerConfig = {
    region: 'us-east-1',
    tables: {
      jobs: uniqueName('jobs'),
      automations: uniqueName('automations'),
      batches: uniqueName('batches'),
    },
    eventBusName: 'bucketflow-test',
    taskQueuePrefix: `${uniqueName('tasks')}-`,
    taskQueueMaxReceiveCount: 5,
  };
  await Promise.all([
    ensureTable(clients.dynamodb, jobsTable, config.tables.jobs),
    ensureTable(clients.dynamodb, automationsTable, config.tables.automations),
    ensureTable(clients.dynamodb, batchesTable, config.tables.batches),
  ]);
  const published: BatchToPublish[] = [];
  const runtime = createHandlerRuntime(config, clients, {
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.tracing ? { tracing: options.tracing } : {}),
    eventPublisher: {
      publishBatchReady: async (batches) => {
        published.push(...batches);
      },
    },
  });
  return { runtime, config, published, clients };
}

/** An SQS Lambda event whose messages carry the given bodies. */
export function sqsEvent(
  bodies: readonly unknown[],
  idPrefix = 'msg',
): {
  Records: Array<{ messageId: string; body: string }>;
} {
  return {
    Records: bodies.map((body, index) => ({
      messageId: `${idPrefix}-${index}`,
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })),
  };
}
