import { randomUUID } from 'node:crypto';
import { DynamoDbAutomationStore } from '../../lambdas/adapters/aws/automation-store/dynamodb-automation-store.js';
import type { AwsClients } from '../../lambdas/adapters/aws/aws-clients.js';
import { DynamoDbDeliveryLedger } from '../../lambdas/adapters/aws/batch-store/dynamodb-delivery-ledger.js';
import { objectEventToEventBridge } from '../../lambdas/adapters/aws/events/s3-event-parsing.js';
import { sendMessages } from '../../lambdas/adapters/aws/queues/send-messages.js';
import { S3ObjectStorage } from '../../lambdas/adapters/aws/storage/s3-object-storage.js';
import { LocalFolderStorage } from '../../lambdas/adapters/local/local-folder-storage.js';
import type { StorageLocation } from '../../lambdas/core/automations/storage-location.js';
import { BucketflowError, ValidationError } from '../../lambdas/core/errors.js';
import type { ObjectEvent } from '../../lambdas/core/events/object-event.js';
import { AutomationCatalog } from '../../lambdas/core/services/automation-catalog.js';
import {
  type BackfillDependencies,
  type BackfillSummary,
  runBackfill,
} from '../../lambdas/core/services/backfill-service.js';
import type { Connection } from '../../lambdas/sdk/connection.js';

/** `reason` of the EventBridge events a backfill sends. */
export const BACKFILL_REASON = 'Backfill';

/** A backfill of one location, as the CLI and `bucketflow dev` start it. */
export interface BackfillRun {
  readonly clients: AwsClients;
  readonly connection: Connection;
  /** The location's name. */
  readonly location: string;
  readonly prefix?: string | undefined;
  readonly since?: number | undefined;
  readonly dryRun?: boolean | undefined;
  readonly settleMs?: number | undefined;
  readonly now: number;
  /** Where events go; the ingest queue of the connection when absent. */
  readonly send?: ((events: readonly ObjectEvent[]) => Promise<void>) | undefined;
  readonly inFlight?: BackfillDependencies['inFlight'];
  readonly onProgress?: BackfillDependencies['onProgress'];
}

/**
 * Backfills a registered location of a deployment (local or on AWS) with the
 * AWS adapters: lists it (S3 or the folder), looks the objects up in the
 * delivery ledger (the batches table), counts the automations they match,
 * and sends the rest to the ingest queue as EventBridge S3 events.
 *
 * @throws ValidationError for an unknown location, a folder on a deployed
 *   stack, or a connection without an ingest queue.
 * @example
 * ```ts
 * const summary = await backfillLocation({ clients, connection, location: 'demo', now: Date.now() });
 * ```
 */
export async function backfillLocation(run: BackfillRun): Promise<BackfillSummary> {
  const { clients, connection } = run;
  const automations = new DynamoDbAutomationStore({
    client: clients.dynamodb,
    tableName: connection.tables.automations,
  });
  const [list, locations] = await Promise.all([automations.list(), automations.listLocations()]);
  const location = locations.find((candidate) => candidate.name === run.location);
  if (location === undefined) {
    throw new ValidationError(
      '--location',
      `unknown storage location '${run.location}'`,
      locations.length > 0
        ? `registered: ${locations.map((known) => known.name).join(', ')}`
        : 'register one first (bucketflow.config.ts locations, or client.storageLocations.register)',
    );
  }
  if (location.kind === 'local-folder' && connection.kind !== 'local') {
    throw new ValidationError(
      '--location',
      `'${location.name}' is a local folder, which only a running bucketflow dev can list`,
      'backfill it with --data-dir of the bucketflow dev that watches it',
    );
  }
  return runBackfill(
    {
      storage: storageOf(clients, location),
      ledger: new DynamoDbDeliveryLedger({
        client: clients.dynamodb,
        tableName: connection.tables.batches,
      }),
      catalog: new AutomationCatalog(list, locations),
      send: run.send ?? queueSender(clients, connection, run.dryRun === true),
      newEventId: randomUUID,
      inFlight: run.inFlight,
      onProgress: run.onProgress,
    },
    {
      location,
      prefix: run.prefix,
      since: run.since,
      dryRun: run.dryRun,
      settleMs: run.settleMs,
      now: run.now,
    },
  );
}

function storageOf(clients: AwsClients, location: StorageLocation) {
  return location.kind === 's3'
    ? new S3ObjectStorage({ client: clients.s3, bucket: location.bucket })
    : new LocalFolderStorage({ root: location.path });
}

function queueSender(clients: AwsClients, connection: Connection, dryRun: boolean) {
  const queueUrl = connection.ingestQueueUrl;
  if (queueUrl === undefined && !dryRun) {
    throw new ValidationError(
      'connection',
      'names no ingest queue to send backfilled events to',
      connection.kind === 'local'
        ? 'restart bucketflow dev with this version, which writes ingestQueueUrl into local.json'
        : 'set BUCKETFLOW_INGEST_QUEUE_URL to the URL of the stack’s ingest queue (or use --dry-run)',
    );
  }
  return async (events: readonly ObjectEvent[]) => {
    const refused = await sendMessages(
      clients.sqs,
      queueUrl ?? '',
      events.map((event) => ({
        body: JSON.stringify(
          objectEventToEventBridge(event, {
            reason: BACKFILL_REASON,
            region: connection.endpoints.region,
          }),
        ),
      })),
    );
    if (refused.length > 0) {
      throw new BucketflowError(
        `the ingest queue refused ${refused.length} backfilled event(s) (${refused[0]?.code}: ${refused[0]?.reason}); ` +
          'run the backfill again: what was ingested is not sent twice',
      );
    }
  };
}
