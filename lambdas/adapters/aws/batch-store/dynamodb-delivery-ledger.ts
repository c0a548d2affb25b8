import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mapConcurrent } from '../../../core/collections.js';
import type {
  DeliveryClaim,
  DeliveryLedger,
  RecordedQuery,
} from '../../../core/ports/delivery-ledger.js';
import { documentClient } from '../dynamodb/document-client.js';

type KeysAndAttributes = NonNullable<BatchGetCommandOutput['UnprocessedKeys']>[string];

/** Claims written at once: enough to hide latency, well under the SDK's 50 sockets. */
const CLAIM_CONCURRENCY = 16;
/** Keys per BatchGetItem call (DynamoDB's limit). */
const KEYS_PER_BATCH_GET = 100;
/** Attempts at reading unprocessed keys before the look-up fails. */
const MAX_READ_ATTEMPTS = 8;

export interface DynamoDbDeliveryLedgerOptions {
  readonly client: DynamoDBClient;
  /** The batches table: ledger items live beside the batch items, under their own partition keys. */
  readonly tableName: string;
}

/**
 * {@link DeliveryLedger} on DynamoDB: one item per delivered object version,
 * `pk` = `D#<bucket>/<key>`, `sk` = `V#<version>`, holding the owner (the
 * event id of the delivery that claimed it) and when it was claimed. Items
 * are small and permanent: a backfill months later still finds them.
 *
 * Cost per created event: one conditional UpdateItem (1 write unit for keys
 * under about 900 bytes, billed also when the condition fails); a backfill
 * reads 0.5 read units per listed object (eventually consistent BatchGetItem).
 *
 * @example
 * ```ts
 * const ledger = new DynamoDbDeliveryLedger({ client, tableName: 'bucketflow-batches' });
 * ```
 */
export class DynamoDbDeliveryLedger implements DeliveryLedger {
  readonly #doc: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: DynamoDbDeliveryLedgerOptions) {
    this.#doc = documentClient(options.client);
    this.#tableName = options.tableName;
  }

  claim(
    claims: readonly DeliveryClaim[],
    now: number,
  ): Promise<Array<'new' | 'retry' | 'duplicate' | Error>> {
    return mapConcurrent(claims, CLAIM_CONCURRENCY, (claim) => this.#claimOne(claim, now));
  }

  async recorded(bucket: string, objects: readonly RecordedQuery[]): Promise<Set<string>> {
    const byItem = new Map<string, RecordedQuery>();
    for (const object of objects) byItem.set(itemId(bucket, object.key, object.version), object);
    const found = new Set<string>();
    const ids = [...byItem.keys()];
    const chunks: string[][] = [];
    for (let start = 0; start < ids.length; start += KEYS_PER_BATCH_GET) {
      chunks.push(ids.slice(start, start + KEYS_PER_BATCH_GET));
    }
    await mapConcurrent(chunks, 4, async (chunk) => {
      let pending: KeysAndAttributes | undefined = {
        Keys: chunk
          .map((id) => byItem.get(id) as RecordedQuery)
          .map((object) => ({
            pk: partitionKey(bucket, object.key),
            sk: sortKey(object.version),
          })),
        ProjectionExpression: 'pk, sk',
      };
      for (let attempt = 0; pending?.Keys?.length; attempt++) {
        if (attempt >= MAX_READ_ATTEMPTS) {
          throw new Error(`BatchGetItem left ${pending.Keys.length} ledger keys unprocessed`);
        }
        if (attempt > 0) await sleep(Math.min(25 * 2 ** attempt, 1000));
        const result: BatchGetCommandOutput = await this.#doc.send(
          new BatchGetCommand({ RequestItems: { [this.#tableName]: pending } }),
        );
        for (const item of result.Responses?.[this.#tableName] ?? []) {
          const pk = String(item.pk ?? '');
          const sk = String(item.sk ?? '');
          const object = byItem.get(`${pk}\u0000${sk}`);
          if (object) found.add(object.key);
        }
        pending = result.UnprocessedKeys?.[this.#tableName];
      }
    });
    return found;
  }

  async #claimOne(
    claim: DeliveryClaim,
    now: number,
  ): Promise<'new' | 'retry' | 'duplicate' | Error> {
    try {
      const result = await this.#doc.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: {
            pk: partitionKey(claim.bucket, claim.key),
            sk: sortKey(claim.version),
          },
          UpdateExpression: 'SET #owner = :owner, #at = if_not_exists(#at, :now)',
          ConditionExpression: 'attribute_not_exists(pk) OR #owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner', '#at': 'claimedAt' },
          ExpressionAttributeValues: { ':owner': claim.owner, ':now': now },
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      return result.Attributes?.owner === undefined ? 'new' : 'retry';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'duplicate';
      return error instanceof Error ? error : new Error(String(error));
    }
  }
}

function partitionKey(bucket: string, key: string): string {
  return `D#${bucket}/${key}`;
}

function sortKey(version: string): string {
  return `V#${version}`;
}

function itemId(bucket: string, key: string, version: string): string {
  return `${partitionKey(bucket, key)}\u0000${sortKey(version)}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
