import {
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoDbItemLedger } from '../../../bench/dynamodb-item-ledger.js';
import { AwsBilling } from '../../../bench/support/aws-billing.js';
import { itemSize, writeUnitsFor } from '../../../bench/support/dynamodb-item-size.js';
import { createAwsClients } from '../../../lambdas/adapters/aws/aws-clients.js';
import {
  ensureTable,
  type TableDefinition,
} from '../../../lambdas/adapters/aws/dynamodb/table-definition.js';
import { localClients, uniqueName } from '../support/local-aws.js';

const plain: TableDefinition = {
  id: 'plain',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
};
const indexed: TableDefinition = {
  ...plain,
  id: 'indexed',
  globalIndexes: [
    {
      indexName: 'due',
      partitionKey: { name: 'q', type: 'S' },
      sortKey: { name: 'at', type: 'N' },
    },
    {
      indexName: 'keys',
      partitionKey: { name: 'k', type: 'S' },
      projection: 'KEYS_ONLY',
    },
  ],
};

/** A string attribute that makes an item of about `bytes`. */
const pad = (bytes: number) => ({ S: 'x'.repeat(Math.max(0, bytes - 20)) });

describe('AwsBilling', () => {
  let client: DynamoDBClient;
  let ledger: DynamoDbItemLedger;
  const names = { plain: uniqueName('bill-plain'), indexed: uniqueName('bill-indexed') };

  beforeAll(async () => {
    client = localClients().dynamodb;
    await ensureTable(client, plain, names.plain);
    await ensureTable(client, indexed, names.indexed);
    const shadow = createAwsClients(inject('awsEndpoints'), { local: true }).dynamodb;
    const tables = new Map([
      [names.plain, plain],
      [names.indexed, indexed],
    ]);
    ledger = new DynamoDbItemLedger({ billing: new AwsBilling(shadow, tables) }).attach(client);
  });

  it.each([100, 1024, 1500, 5000, 300_000])(
    'agrees with DynamoDB Local on a single put, update and delete of a %i-byte item',
    async (bytes) => {
      // Prepare
      ledger.reset();
      const key = { pk: { S: `size-${bytes}` }, sk: { S: 'a' } };
      const item = { ...key, body: pad(bytes) };

      // Act
      await client.send(new PutItemCommand({ TableName: names.plain, Item: item }));
      await client.send(
        new UpdateItemCommand({
          TableName: names.plain,
          Key: key,
          UpdateExpression: 'SET n = :n',
          ExpressionAttributeValues: { ':n': { N: '1' } },
        }),
      );
      await client.send(new DeleteItemCommand({ TableName: names.plain, Key: key }));

      // Assess: the update and the delete bill the item with its new 3-byte attribute
      const units = ledger.billedUnits();
      expect(units.requests).toBe(3);
      expect(units.awsWriteUnits).toBe(units.localWriteUnits);
      const size = itemSize(item);
      expect(units.awsWriteUnits).toBe(writeUnitsFor(size) + 2 * writeUnitsFor(size + 3));
    },
  );

  it('bills a transaction of three small puts 6 units where DynamoDB Local reports fewer', async () => {
    // Prepare
    ledger.reset();
    const put = (sk: string) => ({
      Put: { TableName: names.plain, Item: { pk: { S: 'tx' }, sk: { S: sk }, body: pad(100) } },
    });

    // Act
    await client.send(
      new TransactWriteItemsCommand({ TransactItems: [put('a'), put('b'), put('c')] }),
    );

    // Assess
    const units = ledger.billedUnits();
    expect(units.awsWriteUnits).toBe(6);
    expect(units.localWriteUnits).toBeLessThan(6);
  });

  it('bills index writes: entering, moving within and leaving a sparse index', async () => {
    // Prepare
    ledger.reset();
    const key = { pk: { S: 'gsi' }, sk: { S: 'a' } };
    const update = (expression: string, values?: Record<string, { S: string } | { N: string }>) =>
      client.send(
        new UpdateItemCommand({
          TableName: names.indexed,
          Key: key,
          UpdateExpression: expression,
          ...(values ? { ExpressionAttributeValues: values } : {}),
          ...(expression.includes('#at') ? { ExpressionAttributeNames: { '#at': 'at' } } : {}),
        }),
      );

    // Act
    await client.send(
      new PutItemCommand({ TableName: names.indexed, Item: { ...key, body: pad(100) } }),
    );
    const steps: number[] = [];
    const step = async (act: () => Promise<unknown>) => {
      const before = ledger.billedUnits().awsWriteUnits;
      await act();
      steps.push(ledger.billedUnits().awsWriteUnits - before);
    };
    await step(() => update('SET q = :q, #at = :at', { ':q': { S: 'OPEN' }, ':at': { N: '1' } }));
    await step(() => update('SET #at = :at', { ':at': { N: '2' } }));
    await step(() => update('SET body2 = :b', { ':b': { S: 'y' } }));
    await step(() => update('SET k = :k', { ':k': { S: 'K' } }));
    await step(() => update('SET body3 = :b', { ':b': { S: 'z' } }));
    await step(() => update('REMOVE q, #at'));

    // Assess: table write + index writes per step
    // enter `due` (1); move in `due` (delete + put, 2); change a projected attribute of `due` (1);
    // enter `keys` and change `due` (1 + 1); change only `due` (1; `keys` projects no body); leave `due` (1).
    expect(steps).toEqual([2, 3, 2, 3, 2, 2]);
  });

  it('bills a failed conditional write by the existing item', async () => {
    // Prepare
    const key = { pk: { S: 'cond' }, sk: { S: 'a' } };
    await client.send(
      new PutItemCommand({ TableName: names.plain, Item: { ...key, body: pad(2000) } }),
    );
    ledger.reset();

    // Act
    const error = await client
      .send(
        new UpdateItemCommand({
          TableName: names.plain,
          Key: key,
          UpdateExpression: 'SET n = :n',
          ConditionExpression: 'attribute_not_exists(pk)',
          ExpressionAttributeValues: { ':n': { N: '1' } },
        }),
      )
      .catch((thrown: unknown) => thrown);

    // Assess
    expect((error as Error).name).toBe('ConditionalCheckFailedException');
    expect(ledger.billedUnits().awsWriteUnits).toBe(2);
  });

  it('bills a query by the items it evaluates, filtered out or not', async () => {
    // Prepare: ten items of about 1 KB
    for (let index = 0; index < 10; index++) {
      await client.send(
        new PutItemCommand({
          TableName: names.plain,
          Item: {
            pk: { S: 'query' },
            sk: { S: `i${index}` },
            body: pad(1000),
            n: { N: String(index) },
          },
        }),
      );
    }
    const query = (consistent: boolean, filter: boolean) =>
      client.send(
        new QueryCommand({
          TableName: names.plain,
          KeyConditionExpression: 'pk = :pk',
          ConsistentRead: consistent,
          ...(filter
            ? {
                FilterExpression: 'n = :none',
                ExpressionAttributeValues: { ':pk': { S: 'query' }, ':none': { N: '99' } },
              }
            : { ExpressionAttributeValues: { ':pk': { S: 'query' } } }),
        }),
      );
    const readUnits = async (act: () => Promise<unknown>) => {
      ledger.reset();
      await act();
      return ledger.billedUnits().awsReadUnits;
    };

    // Act
    const consistent = await readUnits(() => query(true, false));
    const eventual = await readUnits(() => query(false, false));
    const filtered = await readUnits(() => query(true, true));

    // Assess: ten items of 1,000 bytes and their keys are 3 blocks of 4 KB
    expect([consistent, eventual, filtered]).toEqual([3, 1.5, 3]);
  });
});

describe('itemSize', () => {
  it('counts names and values by DynamoDB rules', () => {
    expect(itemSize({ pk: { S: 'abc' } })).toBe(5);
    expect(itemSize({ n: { N: '12345' } })).toBe(1 + 4);
    expect(itemSize({ n: { N: '0.00120' } })).toBe(1 + 2);
    expect(itemSize({ ok: { BOOL: true }, no: { NULL: true } })).toBe(6);
    expect(itemSize({ l: { L: [{ S: 'ab' }, { S: 'c' }] } })).toBe(1 + 3 + 3 + 2);
    expect(itemSize({ m: { M: { a: { S: 'é' } } } })).toBe(1 + 3 + 1 + 1 + 2);
  });
});
