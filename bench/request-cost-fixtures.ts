import {
  type AttributeValue,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { TableDefinition } from '../lambdas/adapters/aws/dynamodb/table-definition.js';
import type { SqsEvent } from '../lambdas/handlers/sqs-event.js';
import { objectCreatedEvent } from '../test/support/s3-event-factories.js';

export const T0 = Date.parse('2024-05-01T12:00:00Z');
export const EVENTS = 1000;
export const PREFIXES = 20;
export const BUCKET = 'bench-bucket';

/** A plain table (no index, no TTL) for the naive designs the figures are compared with. */
export const naiveTable: TableDefinition = {
  id: 'naive',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
};

/**
 * One ingest invocation: an SQS event of `events` EventBridge "Object
 * Created" events over `prefixes` two-level prefixes, 10 ms apart.
 */
export function ingestInvocation(
  round: number,
  extension: string,
  { events = EVENTS, prefixes = PREFIXES }: { events?: number; prefixes?: number } = {},
): SqsEvent {
  return {
    Records: Array.from({ length: events }, (_, i) => ({
      messageId: `message-${round}-${i}`,
      body: JSON.stringify(
        objectCreatedEvent({
          bucket: BUCKET,
          key: `instrument-${i % prefixes}/run-${round}/object-${String(i).padStart(5, '0')}.${extension}`,
          time: new Date(T0 + round * 60_000 + i * 10).toISOString(),
          sequencer: `${round.toString(16).padStart(4, '0')}${i.toString(16).padStart(12, '0')}`,
          size: 1024,
        }),
      ),
    })),
  };
}

/** Runs `act` over the items with at most `width` in flight, as a Lambda's SDK pool would. */
export async function inParallel<T>(
  items: readonly T[],
  width: number,
  act: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await act(item);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
}

/**
 * The obvious batching design: per event a conditional PutItem to dedupe it
 * and an UpdateItem of its prefix's header.
 */
export async function naiveBatching(client: DynamoDBClient, tableName: string): Promise<void> {
  const events = ingestInvocation(0, 'csv').Records.map((record, i) => ({
    key: `instrument-${i % PREFIXES}/run-0/${record.messageId}`,
    time: T0 + i * 10,
  }));
  await inParallel(events, PREFIXES, async (event) => {
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { pk: { S: `naive#${event.key}` }, sk: { S: 'D' } },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { pk: { S: `naive#${event.key.split('/').slice(0, 2).join('/')}` }, sk: { S: 'H' } },
        UpdateExpression: 'ADD #c :one SET lastEventAt = :t',
        ExpressionAttributeNames: { '#c': 'count' },
        ExpressionAttributeValues: { ':one': { N: '1' }, ':t': { N: String(event.time) } },
      }),
    );
  });
}

/** The stored items of one job (job item and task items), to replay them in the naive table. */
export async function readJobItems(
  client: DynamoDBClient,
  tableName: string,
  pk: string,
): Promise<Record<string, AttributeValue>[]> {
  const { Items = [] } = await client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: pk } },
    }),
  );
  return Items;
}

/**
 * The task lifecycle without transactions, indexes or idempotency records,
 * on copies of real job items (the job item alone when it holds its root
 * task): a PutItem per item, then the claim and the completion as an
 * UpdateItem each of the item holding the task.
 */
export async function naiveTaskLifecycle(
  client: DynamoDBClient,
  tableName: string,
  items: readonly Record<string, AttributeValue>[],
  copy: number,
): Promise<void> {
  const pk = { S: `naive-job#${copy}` };
  const task =
    items.find((item) => item.sk?.S?.startsWith('TASK#') ?? false) ??
    items.find((item) => item.sk?.S === 'JOB');
  if (!task) throw new Error(`naive task lifecycle: no job item in ${items.length} items`);
  for (const item of items) {
    await client.send(new PutItemCommand({ TableName: tableName, Item: { ...item, pk } }));
  }
  for (let step = 0; step < 2; step++) {
    await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { pk, sk: task.sk ?? { S: '' } },
        UpdateExpression: 'SET #s = :s',
        ExpressionAttributeNames: { '#s': 'naiveState' },
        ExpressionAttributeValues: { ':s': { S: `X${step}` } },
      }),
    );
  }
}

/** Counts the messages SendMessageBatch calls carry (RequestAccounting counts the calls). */
export class SqsEntryCounter {
  messages = 0;

  attach(client: SQSClient): this {
    const name = 'bucketflowBenchSqsEntries';
    const stack = client.middlewareStack as unknown as {
      remove(name: string): boolean;
      add(
        middleware: (
          next: (args: { input: unknown }) => Promise<unknown>,
          context: { commandName?: string },
        ) => (args: { input: unknown }) => Promise<unknown>,
        options: { step: 'initialize'; name: string },
      ): void;
    };
    stack.remove(name);
    stack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'SendMessageBatchCommand') {
          this.messages += ((args.input as { Entries?: unknown[] }).Entries ?? []).length;
        }
        return next(args);
      },
      { step: 'initialize', name },
    );
    return this;
  }
}
