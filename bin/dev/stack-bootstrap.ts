import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { type AwsClients, createAwsClients } from '../../lambdas/adapters/aws/aws-clients.js';
import { ensureTable } from '../../lambdas/adapters/aws/dynamodb/table-definition.js';
import { automationsTable } from '../../lambdas/adapters/aws/dynamodb/tables/automations-table.js';
import { batchesTable } from '../../lambdas/adapters/aws/dynamodb/tables/batches-table.js';
import { jobsTable } from '../../lambdas/adapters/aws/dynamodb/tables/jobs-table.js';
import { ensureQueueWithDeadLetter } from '../../lambdas/adapters/aws/queues/queue-setup.js';
import { TASK_QUEUE_MAX_RECEIVE_COUNT } from '../../lambdas/adapters/aws/queues/task-messages.js';
import { TASK_QUEUE_PREFIX } from '../../lambdas/adapters/aws/queues/task-queue-names.js';
import {
  type LocalServers,
  startLocalServers,
} from '../../lambdas/adapters/local/local-servers.js';
import type { LocalCredentials } from '../../lambdas/adapters/local/sigv4-verifier.js';
import { DAY_MS, DEAD_LETTER_RETENTION_DAYS } from '../../lambdas/core/retention.js';
import type { HandlerConfig } from '../../lambdas/handlers/config.js';
import {
  CACHE_BUCKET,
  INGEST_DLQ_NAME,
  INGEST_MAX_RECEIVE_COUNT,
  INGEST_QUEUE_NAME,
  INGEST_VISIBILITY_SECONDS,
  LOCAL_EVENT_BUS_NAME,
  LOCAL_TABLE_PREFIX,
} from './dev-constants.js';

/** DLQs keep messages for the SQS maximum, as the stack's do. */
const DLQ_RETENTION_SECONDS = (DEAD_LETTER_RETENTION_DAYS * DAY_MS) / 1000;

export interface LocalStack {
  readonly servers: LocalServers;
  readonly clients: AwsClients;
  /** What the handlers are configured with, as the stack's environment would say. */
  readonly config: HandlerConfig;
  readonly ingestQueueUrl: string;
}

export interface BootstrapOptions {
  readonly dataDir: string;
  readonly ports?: { readonly dynamodb?: number; readonly sqs?: number; readonly s3?: number };
  /** The key pair the local servers accept. @default a random pair */
  readonly credentials?: LocalCredentials;
  /** A listener of the S3 server's events threw (the S3 request still succeeds). */
  readonly onListenerError?: (error: unknown) => void;
}

/**
 * Starts the local servers on the data directory and creates what the
 * stateful stack defines: the tables (from the same TableDefinitions the CDK
 * uses), the ingest queue with its DLQ and redrive policy, and the job cache
 * bucket. Task queues are created on demand by the task queue adapter, as on
 * AWS. Every step is idempotent, so a restart finds its state.
 *
 * @example
 * ```ts
 * const stack = await bootstrapStack({ dataDir: '.bucketflow' });
 * ```
 */
export async function bootstrapStack(options: BootstrapOptions): Promise<LocalStack> {
  const servers = await startLocalServers({
    dataDir: options.dataDir,
    ports: options.ports,
    credentials: options.credentials,
    onListenerError: options.onListenerError,
  });
  try {
    const clients = createAwsClients(servers.endpoints, { local: true });
    const config: HandlerConfig = {
      region: servers.endpoints.region,
      tables: {
        jobs: `${LOCAL_TABLE_PREFIX}${jobsTable.id}`,
        automations: `${LOCAL_TABLE_PREFIX}${automationsTable.id}`,
        batches: `${LOCAL_TABLE_PREFIX}${batchesTable.id}`,
      },
      eventBusName: LOCAL_EVENT_BUS_NAME,
      taskQueuePrefix: TASK_QUEUE_PREFIX,
      taskQueueMaxReceiveCount: TASK_QUEUE_MAX_RECEIVE_COUNT,
    };
    const [ingestQueueUrl] = await Promise.all([
      ensureIngestQueue(clients.sqs),
      ensureTable(clients.dynamodb, jobsTable, config.tables.jobs),
      ensureTable(clients.dynamodb, automationsTable, config.tables.automations),
      ensureTable(clients.dynamodb, batchesTable, config.tables.batches),
      ensureBuckets(clients.s3, [CACHE_BUCKET]),
    ]);
    return { servers, clients, config, ingestQueueUrl };
  } catch (error) {
    await servers.stop();
    throw error;
  }
}

/** Names and visibility of the ingest queue; tests use their own. */
export interface IngestQueueOptions {
  /** @default 'bucketflow-ingest' */
  readonly queue?: string;
  /** @default 'bucketflow-ingest-dlq' */
  readonly deadLetterQueue?: string;
  /** @default 30 */
  readonly visibilitySeconds?: number;
}

/**
 * The ingest queue and its DLQ (redrive after 5 receives, as the stack's).
 * The SQS server keeps queues in memory, so they are created on every start.
 *
 * @example
 * ```ts
 * const url = await ensureIngestQueue(clients.sqs);
 * ```
 */
export async function ensureIngestQueue(
  sqs: SQSClient,
  options: IngestQueueOptions = {},
): Promise<string> {
  const names = {
    queue: options.queue ?? INGEST_QUEUE_NAME,
    deadLetterQueue: options.deadLetterQueue ?? INGEST_DLQ_NAME,
  };
  return ensureQueueWithDeadLetter(sqs, names, {
    maxReceiveCount: INGEST_MAX_RECEIVE_COUNT,
    deadLetterQueue: { attributes: { MessageRetentionPeriod: String(DLQ_RETENTION_SECONDS) } },
    queue: {
      attributes: {
        VisibilityTimeout: String(options.visibilitySeconds ?? INGEST_VISIBILITY_SECONDS),
      },
    },
  });
}

/**
 * Creates the buckets the local S3 server does not have yet.
 *
 * @example
 * ```ts
 * await ensureBuckets(clients.s3, ['demo']);
 * ```
 */
export async function ensureBuckets(s3: S3Client, buckets: Iterable<string>): Promise<void> {
  await Promise.all(
    [...new Set(buckets)].map(async (bucket) => {
      try {
        await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      } catch (error) {
        const name = error instanceof Error ? error.name : '';
        if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
      }
    }),
  );
}
