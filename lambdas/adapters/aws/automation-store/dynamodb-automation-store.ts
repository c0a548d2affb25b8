import { randomBytes as nodeRandomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  TransactWriteCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import {
  type AutomationInput,
  validateAutomation,
} from '../../../core/automations/automation-spec.js';
import {
  CLUSTER_SUFFIX_LENGTH,
  clusterSlug,
  DEFAULT_CLUSTER_SLUG,
  isClusterSlug,
} from '../../../core/automations/cluster-slug.js';
import { InvalidClusterNameError } from '../../../core/automations/errors.js';
import {
  type StorageLocation,
  validateStorageLocation,
} from '../../../core/automations/storage-location.js';
import { encodeUlid } from '../../../core/jobs/ulid.js';
import type { Automation, AutomationStore, Cluster } from '../../../core/ports/automation-store.js';
import {
  AutomationNotFoundError,
  ClusterNotFoundError,
  LocationExistsError,
  LocationNotFoundError,
} from '../../../core/ports/automation-store.js';
import { documentClient } from '../dynamodb/document-client.js';
import {
  type AutomationTableContext,
  advanceCronCursor,
  countReference,
  deleteUnused,
  getItem,
  putNew,
  queryPartition,
  readCronCursor,
  readCronCursors,
} from './access.js';
import {
  AUTOMATIONS,
  automationKey,
  CLUSTERS,
  cancellationCodes,
  clusterKey,
  cursorKey,
  decodeAutomation,
  decodeCluster,
  decodeLocation,
  encodeAutomation,
  encodeCluster,
  encodeLocation,
  isConditionFailure,
  LOCATIONS,
  locationKey,
  locationsOf,
} from './items.js';

/** Slug collisions tolerated before giving up (8 random characters make one unlikely). */
const MAX_SLUG_ATTEMPTS = 3;

export interface DynamoDbAutomationStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** @default Date.now */
  readonly clock?: () => number;
  /** Randomness for ids and cluster slugs. @default node:crypto randomBytes */
  readonly randomBytes?: (size: number) => Uint8Array;
}

/**
 * {@link AutomationStore} on one DynamoDB table ({@link automationsTable}).
 * Creating or deleting an automation is one transaction that also counts the
 * references on its cluster and locations, so a cluster or location in use
 * cannot be deleted and a deleted one cannot be referenced.
 *
 * @example
 * ```ts
 * const store = new DynamoDbAutomationStore({ client: clients.dynamodb, tableName: 'bucketflow-automations' });
 * const enabled = await store.list();
 * ```
 */
export class DynamoDbAutomationStore implements AutomationStore {
  readonly #context: AutomationTableContext;
  readonly #clock: () => number;
  readonly #random: (size: number) => Uint8Array;

  constructor(options: DynamoDbAutomationStoreOptions) {
    this.#context = { doc: documentClient(options.client), tableName: options.tableName };
    this.#clock = options.clock ?? Date.now;
    this.#random = options.randomBytes ?? ((size) => new Uint8Array(nodeRandomBytes(size)));
  }

  async registerLocation(input: StorageLocation): Promise<StorageLocation> {
    const location = validateStorageLocation(input);
    try {
      await putNew(this.#context, encodeLocation(location, this.#clock()));
    } catch (error) {
      if (isConditionFailure(error)) throw new LocationExistsError(location.name);
      throw error;
    }
    return location;
  }

  async listLocations(): Promise<StorageLocation[]> {
    return (await queryPartition(this.#context, LOCATIONS)).map(decodeLocation);
  }

  async findLocation(name: string): Promise<StorageLocation | undefined> {
    const item = await getItem(this.#context, locationKey(name));
    return item && decodeLocation(item);
  }

  deleteLocation(name: string): Promise<boolean> {
    return deleteUnused(this.#context, locationKey(name), `storage location '${name}'`, () =>
      this.#users((automation) => locationsOf(automation).includes(name)),
    );
  }

  async createCluster(name: string): Promise<Cluster> {
    for (let attempt = 1; ; attempt++) {
      const cluster = {
        slug: clusterSlug(name, this.#random(CLUSTER_SUFFIX_LENGTH)),
        name,
        createdAt: this.#clock(),
      };
      try {
        await putNew(this.#context, encodeCluster(cluster));
        return cluster;
      } catch (error) {
        if (!isConditionFailure(error) || attempt >= MAX_SLUG_ATTEMPTS) throw error;
      }
    }
  }

  async listClusters(): Promise<Cluster[]> {
    return (await queryPartition(this.#context, CLUSTERS)).map(decodeCluster);
  }

  async findCluster(slug: string): Promise<Cluster | undefined> {
    const item = await getItem(this.#context, clusterKey(slug));
    return item && decodeCluster(item);
  }

  deleteCluster(slug: string): Promise<boolean> {
    return deleteUnused(this.#context, clusterKey(slug), `cluster '${slug}'`, () =>
      this.#users((automation) => automation.cluster === slug),
    );
  }

  defaultCluster(): Promise<Cluster> {
    return this.ensureCluster(DEFAULT_CLUSTER_SLUG);
  }

  async ensureCluster(slug: string): Promise<Cluster> {
    if (!isClusterSlug(slug)) {
      throw new InvalidClusterNameError(
        'slug',
        `${JSON.stringify(slug)} is not a cluster slug (letters, digits, '_' and '-', starting with a letter or digit)`,
        "e.g. 'gpu'",
      );
    }
    const existing = await this.findCluster(slug);
    if (existing) return existing;
    const cluster = { slug, name: slug, createdAt: this.#clock() };
    try {
      await putNew(this.#context, encodeCluster(cluster));
      return cluster;
    } catch (error) {
      // Another caller created it first: return theirs.
      if (!isConditionFailure(error)) throw error;
      return (await this.findCluster(slug)) ?? cluster;
    }
  }

  async create(input: AutomationInput): Promise<Automation> {
    const definition = validateAutomation(input);
    const cluster = definition.cluster ?? (await this.defaultCluster()).slug;
    const now = this.#clock();
    const automation: Automation = {
      ...definition,
      id: encodeUlid(now, this.#random(10)),
      cluster,
      createdAt: now,
      enabledAt: now,
    };
    const locations = locationsOf(automation);
    const references = [clusterKey(cluster), ...locations.map(locationKey)];
    try {
      await this.#context.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.#context.tableName,
                Item: encodeAutomation(automation),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            ...references.map((key) => countReference(this.#context, key, 1)),
          ],
        }),
      );
    } catch (error) {
      const codes = cancellationCodes(error);
      if (codes === undefined) throw error;
      if (codes[1] === 'ConditionalCheckFailed') throw new ClusterNotFoundError(cluster);
      const missing = locations.filter((_, index) => codes[index + 2] === 'ConditionalCheckFailed');
      if (missing.length > 0) throw new LocationNotFoundError(missing);
      throw error;
    }
    return automation;
  }

  async list(options: { readonly includeDisabled?: boolean } = {}): Promise<Automation[]> {
    const items = await queryPartition(this.#context, AUTOMATIONS, 'A#', !options.includeDisabled);
    return items.map(decodeAutomation);
  }

  async find(id: string): Promise<Automation | undefined> {
    const item = await getItem(this.#context, automationKey(id));
    return item && decodeAutomation(item);
  }

  async setEnabled(id: string, enabled: boolean): Promise<Automation> {
    // Enabling a disabled automation restarts its schedule now; anything else keeps `enabledAt`.
    const update: Pick<
      UpdateCommandInput,
      'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeValues'
    > = enabled
      ? {
          UpdateExpression: 'SET enabled = :enabled, enabledAt = :now',
          ConditionExpression: 'attribute_exists(pk) AND enabled = :disabled',
          ExpressionAttributeValues: {
            ':enabled': true,
            ':disabled': false,
            ':now': this.#clock(),
          },
        }
      : {
          UpdateExpression: 'SET enabled = :enabled',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':enabled': false },
        };
    try {
      const result = await this.#context.doc.send(
        new UpdateCommand({
          TableName: this.#context.tableName,
          Key: automationKey(id),
          ...update,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return decodeAutomation(result.Attributes ?? {});
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = enabled ? await this.find(id) : undefined;
      if (current) return current;
      throw new AutomationNotFoundError(id);
    }
  }

  async delete(id: string): Promise<boolean> {
    const automation = await this.find(id);
    if (automation === undefined) return false;
    const references = [
      clusterKey(automation.cluster),
      ...locationsOf(automation).map(locationKey),
    ];
    try {
      await this.#context.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: this.#context.tableName,
                Key: automationKey(id),
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
            { Delete: { TableName: this.#context.tableName, Key: cursorKey(id) } },
            ...references.map((key) => countReference(this.#context, key, -1)),
          ],
        }),
      );
      return true;
    } catch (error) {
      // A concurrent delete won.
      if (cancellationCodes(error)?.[0] === 'ConditionalCheckFailed') return false;
      throw error;
    }
  }

  async #users(uses: (automation: Automation) => boolean): Promise<string[]> {
    const automations = await this.list({ includeDisabled: true });
    return automations.filter(uses).map((automation) => `${automation.name} (${automation.id})`);
  }

  cronCursor(automationId: string): Promise<number | undefined> {
    return readCronCursor(this.#context, automationId);
  }

  cronCursors(): Promise<ReadonlyMap<string, number>> {
    return readCronCursors(this.#context);
  }

  advanceCronCursor(automationId: string, from: number | undefined, to: number): Promise<boolean> {
    return advanceCronCursor(this.#context, automationId, from, to);
  }
}
