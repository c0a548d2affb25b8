import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import type {
  GlobalIndexDefinition,
  KeyAttribute,
  TableDefinition,
} from '../lambdas/adapters/aws/dynamodb/table-definition.js';

export interface TableFromDefinitionOptions {
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Encryption at rest.
   * @default TableEncryptionV2.awsManagedKey() (the account's aws/dynamodb key, visible in CloudTrail)
   */
  readonly encryption?: dynamodb.TableEncryptionV2;
}

/**
 * Builds the CDK table for a {@link TableDefinition}: the same keys, indexes
 * and TTL attribute the local bootstrap creates, so that the schema is written
 * once. On-demand billing, point-in-time recovery, encryption at rest; a
 * retained table is also protected against deletion.
 *
 * @example
 * ```ts
 * const jobs = tableFromDefinition(this, jobsTable);
 * ```
 */
export function tableFromDefinition(
  scope: Construct,
  definition: TableDefinition,
  options: TableFromDefinitionOptions = {},
): dynamodb.TableV2 {
  const removalPolicy = options.removalPolicy ?? RemovalPolicy.RETAIN;
  return new dynamodb.TableV2(scope, constructId(definition.id), {
    partitionKey: toAttribute(definition.partitionKey),
    ...(definition.sortKey ? { sortKey: toAttribute(definition.sortKey) } : {}),
    billing: dynamodb.Billing.onDemand(),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: options.encryption ?? dynamodb.TableEncryptionV2.awsManagedKey(),
    ...(definition.timeToLiveAttribute
      ? { timeToLiveAttribute: definition.timeToLiveAttribute }
      : {}),
    globalSecondaryIndexes: (definition.globalIndexes ?? []).map(toGlobalIndex),
    removalPolicy,
    deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
  });
}

/** Construct id of a table: `jobs` becomes `JobsTable`. */
export function constructId(tableId: string): string {
  const words = tableId.split(/[^A-Za-z0-9]+/).filter((word) => word.length > 0);
  return `${words.map((word) => word[0]?.toUpperCase() + word.slice(1)).join('')}Table`;
}

function toAttribute(key: KeyAttribute): dynamodb.Attribute {
  return {
    name: key.name,
    type: key.type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER,
  };
}

function toGlobalIndex(index: GlobalIndexDefinition): dynamodb.GlobalSecondaryIndexPropsV2 {
  const keys = {
    indexName: index.indexName,
    partitionKey: toAttribute(index.partitionKey),
    ...(index.sortKey ? { sortKey: toAttribute(index.sortKey) } : {}),
  };
  const projection = index.projection ?? 'ALL';
  if (projection === 'ALL') return { ...keys, projectionType: dynamodb.ProjectionType.ALL };
  if (projection === 'KEYS_ONLY') {
    return { ...keys, projectionType: dynamodb.ProjectionType.KEYS_ONLY };
  }
  return {
    ...keys,
    projectionType: dynamodb.ProjectionType.INCLUDE,
    nonKeyAttributes: [...projection.include],
  };
}
