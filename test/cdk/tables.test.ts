import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { tableEnvironmentName } from '../../lambdas/adapters/aws/deployment-environment.js';
import type { TableDefinition } from '../../lambdas/adapters/aws/dynamodb/table-definition.js';
import { PACKAGE_ROOT as PROJECT_ROOT } from '../../lib/bundling.js';
import { constructId, tableFromDefinition } from '../../lib/table-from-definition.js';
import { BUCKETFLOW_TABLES, TABLE_ACCESS } from '../../lib/tables.js';
import { testApp } from './support.js';

const TABLES_DIR = join(PROJECT_ROOT, 'lambdas', 'adapters', 'aws', 'dynamodb', 'tables');

function isTableDefinition(value: unknown): value is TableDefinition {
  return typeof value === 'object' && value !== null && 'id' in value && 'partitionKey' in value;
}

describe('BUCKETFLOW_TABLES', () => {
  it('holds every TableDefinition exported from lambdas/adapters/aws/dynamodb/tables', async () => {
    // Prepare
    const files = readdirSync(TABLES_DIR).filter((file) => file.endsWith('-table.ts'));
    const exported: TableDefinition[] = [];
    for (const file of files) {
      const module = (await import(join(TABLES_DIR, file))) as Record<string, unknown>;
      exported.push(...Object.values(module).filter(isTableDefinition));
    }

    // Assess
    expect(files.length).toBeGreaterThanOrEqual(2);
    expect(exported.map((definition) => definition.id).sort()).toEqual(
      BUCKETFLOW_TABLES.map((definition) => definition.id).sort(),
    );
  });

  it('says for every table which handlers may use it', () => {
    for (const definition of BUCKETFLOW_TABLES) {
      expect(Object.keys(TABLE_ACCESS[definition.id] ?? {}), definition.id).not.toHaveLength(0);
    }
  });
});

describe('tableFromDefinition', () => {
  const definition: TableDefinition = {
    id: 'task-leases',
    partitionKey: { name: 'pk', type: 'S' },
    globalIndexes: [
      {
        indexName: 'byTime',
        partitionKey: { name: 'shard', type: 'S' },
        sortKey: { name: 'at', type: 'N' },
        projection: 'KEYS_ONLY',
      },
      {
        indexName: 'byOwner',
        partitionKey: { name: 'owner', type: 'S' },
        projection: { include: ['a', 'b'] },
      },
    ],
  };

  it('maps keys, attribute types and every projection kind', () => {
    // Prepare
    const stack = new Stack(testApp(), 'Tables');

    // Act
    tableFromDefinition(stack, definition);

    // Assess
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'shard', AttributeType: 'S' },
        { AttributeName: 'at', AttributeType: 'N' },
        { AttributeName: 'owner', AttributeType: 'S' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byTime',
          KeySchema: [
            { AttributeName: 'shard', KeyType: 'HASH' },
            { AttributeName: 'at', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
        {
          IndexName: 'byOwner',
          KeySchema: [{ AttributeName: 'owner', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['a', 'b'] },
        },
      ],
    });
    expect(Object.keys(template.findResources('AWS::DynamoDB::GlobalTable'))[0]).toMatch(
      /^TaskLeasesTable/,
    );
  });

  it('leaves TTL off when the definition has no TTL attribute', () => {
    const stack = new Stack(testApp(), 'Tables');
    tableFromDefinition(stack, definition);
    const table = Object.values(
      Template.fromStack(stack).findResources('AWS::DynamoDB::GlobalTable'),
    )[0];
    expect(table?.Properties?.TimeToLiveSpecification).toBeUndefined();
  });
});

describe('table names', () => {
  it.each([
    ['jobs', 'JobsTable', 'BUCKETFLOW_JOBS_TABLE'],
    ['taskLeases', 'TaskLeasesTable', 'BUCKETFLOW_TASK_LEASES_TABLE'],
    ['fire-ledger', 'FireLedgerTable', 'BUCKETFLOW_FIRE_LEDGER_TABLE'],
  ])('names table %s %s in CDK and %s in the environment', (id, construct, variable) => {
    expect(constructId(id)).toBe(construct);
    expect(tableEnvironmentName(id)).toBe(variable);
  });
});
