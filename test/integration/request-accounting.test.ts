import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ensureTable,
  type TableDefinition,
} from '../../lambdas/adapters/aws/dynamodb/table-definition.js';
import { RequestAccounting } from '../../lambdas/adapters/aws/request-accounting.js';
import { localClients, uniqueName } from './support/local-aws.js';

const probeTable: TableDefinition = {
  id: 'probe',
  partitionKey: { name: 'pk', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
};

describe('RequestAccounting', () => {
  const clients = localClients();
  const tableName = uniqueName('accounting');

  beforeAll(async () => {
    await ensureTable(clients.dynamodb, probeTable, tableName);
    // A second call finds the table and does nothing.
    await ensureTable(clients.dynamodb, probeTable, tableName);
  });

  it('counts requests per operation and sums the capacity DynamoDB reports', async () => {
    // Prepare
    const accounting = new RequestAccounting().attach({ dynamodb: clients.dynamodb });
    const bigValue = 'x'.repeat(3000);

    // Act
    await clients.dynamodb.send(
      new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'a' }, v: { S: bigValue } } }),
    );
    await clients.dynamodb.send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'a' } } }),
    );
    await expect(
      clients.dynamodb.send(
        new PutItemCommand({
          TableName: tableName,
          Item: { pk: { S: 'a' } },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    ).rejects.toThrow();

    // Assess
    expect(accounting.requests('dynamodb', 'PutItem')).toBe(2);
    expect(accounting.requests('dynamodb', 'GetItem')).toBe(1);
    expect(accounting.total('dynamodb').errors).toBe(1);
    // A 3 KB item costs 3 write units (1 KB each) and 0.5 read unit (4 KB, eventually consistent).
    expect(accounting.writeUnits()).toBe(3);
    expect(accounting.readUnits()).toBe(0.5);
  });
});
