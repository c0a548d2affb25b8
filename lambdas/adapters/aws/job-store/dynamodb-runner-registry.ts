import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  paginateQuery,
} from '@aws-sdk/lib-dynamodb';
import { formatTaskIdentifier, parseTaskIdentifier } from '../../../core/jobs/task-identifier.js';
import type {
  RunnerAnnouncement,
  RunnerRegistration,
  RunnerRegistry,
} from '../../../core/ports/runner-registry.js';
import { documentClient } from '../dynamodb/document-client.js';

const PK_PREFIX = 'RUNNERS#';
const SK_PREFIX = 'RUNNER#';

export interface DynamoDbRunnerRegistryOptions {
  readonly client: DynamoDBClient;
  /** The jobs table: one partition per cluster, `RUNNERS#<cluster>`. */
  readonly tableName: string;
  /** @default Date.now */
  readonly clock?: () => number;
}

/**
 * {@link RunnerRegistry} on the jobs table: one item per runner in its
 * cluster's partition (`RUNNERS#<cluster>`, sk `RUNNER#<runnerId>`), with the
 * identifiers it registered and a TTL (`expiresAt`, epoch seconds). An
 * announcement is one PutItem (about 1 WU every few minutes per runner);
 * `list` is one Query and ignores lapsed items, which DynamoDB Local never
 * deletes.
 *
 * @example
 * ```ts
 * const registry = new DynamoDbRunnerRegistry({ client: clients.dynamodb, tableName: 'bucketflow-jobs' });
 * ```
 */
export class DynamoDbRunnerRegistry implements RunnerRegistry {
  readonly #doc: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #clock: () => number;
  /** When each runner this instance announced first did so. */
  readonly #startedAt = new Map<string, number>();

  constructor(options: DynamoDbRunnerRegistryOptions) {
    this.#doc = documentClient(options.client);
    this.#tableName = options.tableName;
    this.#clock = options.clock ?? Date.now;
  }

  async announce(
    announcement: RunnerAnnouncement & { readonly kind: RunnerRegistration['kind'] },
    ttlMs: number,
  ): Promise<void> {
    const now = this.#clock();
    const startedAt = this.#startedAt.get(announcement.runnerId) ?? now;
    this.#startedAt.set(announcement.runnerId, startedAt);
    await this.#doc.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: {
          pk: `${PK_PREFIX}${announcement.cluster}`,
          sk: `${SK_PREFIX}${announcement.runnerId}`,
          kind: announcement.kind,
          identifiers: announcement.identifiers.map(formatTaskIdentifier),
          startedAt,
          seenAt: now,
          expiresAt: Math.ceil((now + ttlMs) / 1000),
        },
      }),
    );
  }

  async withdraw(cluster: string, runnerId: string): Promise<void> {
    this.#startedAt.delete(runnerId);
    await this.#doc.send(
      new DeleteCommand({
        TableName: this.#tableName,
        Key: { pk: `${PK_PREFIX}${cluster}`, sk: `${SK_PREFIX}${runnerId}` },
      }),
    );
  }

  async list(cluster: string): Promise<RunnerRegistration[]> {
    const nowSeconds = this.#clock() / 1000;
    const registrations: RunnerRegistration[] = [];
    const pages = paginateQuery(
      { client: this.#doc },
      {
        TableName: this.#tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
        ExpressionAttributeValues: { ':pk': `${PK_PREFIX}${cluster}`, ':sk': SK_PREFIX },
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        if ((item.expiresAt as number) <= nowSeconds) continue;
        registrations.push({
          runnerId: String(item.sk).slice(SK_PREFIX.length),
          cluster,
          kind: item.kind === 'lambda' ? 'lambda' : 'process',
          identifiers: ((item.identifiers as string[] | undefined) ?? []).map((text) =>
            parseTaskIdentifier(text),
          ),
          startedAt: item.startedAt as number,
          seenAt: item.seenAt as number,
          expiresAt: (item.expiresAt as number) * 1000,
        });
      }
    }
    return registrations;
  }
}
