import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';

/** Attribute types a key may have. */
export type KeyAttributeType = 'S' | 'N';

export interface KeyAttribute {
  readonly name: string;
  readonly type: KeyAttributeType;
}

export interface GlobalIndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  /** `ALL` unless a narrower projection is enough for the access pattern. */
  readonly projection?: 'ALL' | 'KEYS_ONLY' | { readonly include: readonly string[] };
}

/**
 * The shape of one DynamoDB table, written once and used by both the CDK
 * stack and the local stack bootstrap, so that there is no second copy of the
 * schema. Tables are on-demand (nothing idles at a cost).
 */
export interface TableDefinition {
  /** Logical name: the CDK construct id and the local table name suffix. */
  readonly id: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly globalIndexes?: readonly GlobalIndexDefinition[];
  /** Attribute holding an epoch-seconds expiry; readers treat expired items as absent. */
  readonly timeToLiveAttribute?: string;
}

/**
 * Translates a definition into the CreateTable request for `tableName`.
 *
 * @example
 * ```ts
 * await client.send(new CreateTableCommand(toCreateTableInput(jobsTable, 'bucketflow-jobs')));
 * ```
 */
export function toCreateTableInput(
  definition: TableDefinition,
  tableName: string,
): CreateTableCommandInput {
  const attributes = new Map<string, KeyAttributeType>();
  const keySchema = (partitionKey: KeyAttribute, sortKey?: KeyAttribute) => {
    attributes.set(partitionKey.name, partitionKey.type);
    if (sortKey) attributes.set(sortKey.name, sortKey.type);
    return [
      { AttributeName: partitionKey.name, KeyType: 'HASH' as const },
      ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' as const }] : []),
    ];
  };
  const KeySchema = keySchema(definition.partitionKey, definition.sortKey);
  const GlobalSecondaryIndexes = definition.globalIndexes?.map((index) => ({
    IndexName: index.indexName,
    KeySchema: keySchema(index.partitionKey, index.sortKey),
    Projection: toProjection(index.projection),
  }));
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema,
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({
      AttributeName,
      AttributeType,
    })),
    ...(GlobalSecondaryIndexes?.length ? { GlobalSecondaryIndexes } : {}),
  };
}

function toProjection(projection: GlobalIndexDefinition['projection']) {
  if (projection === undefined || projection === 'ALL') return { ProjectionType: 'ALL' as const };
  if (projection === 'KEYS_ONLY') return { ProjectionType: 'KEYS_ONLY' as const };
  return { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...projection.include] };
}

/**
 * Creates a table (and its TTL setting) unless it exists. Used by the local
 * stack and by the integration tests; on AWS the CDK stack owns the tables.
 */
export async function ensureTable(
  client: DynamoDBClient,
  definition: TableDefinition,
  tableName: string,
): Promise<void> {
  try {
    await client.send(new CreateTableCommand(toCreateTableInput(definition, tableName)));
  } catch (error) {
    if (error instanceof ResourceInUseException) return;
    throw error;
  }
  if (definition.timeToLiveAttribute) {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: definition.timeToLiveAttribute, Enabled: true },
      }),
    );
  }
}
