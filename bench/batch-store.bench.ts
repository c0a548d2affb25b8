import { PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { createAwsClients, destroyAwsClients } from '../lambdas/adapters/aws/aws-clients.js';
import { DynamoDbBatchStore } from '../lambdas/adapters/aws/dynamodb-batch-store.js';
import { RequestAccounting } from '../lambdas/adapters/aws/request-accounting.js';
import { ensureTable } from '../lambdas/adapters/aws/table-definition.js';
import { batchesTable } from '../lambdas/adapters/aws/tables/batches-table.js';
import { startLocalServers } from '../lambdas/adapters/local/local-servers.js';
import { createBatchPolicy } from '../lambdas/core/batching/batch-thresholds.js';
import type { DeliveredBatchEvent } from '../lambdas/core/ports/batch-store.js';
import { type BenchSection, fmt } from './harness.js';

const T0 = Date.parse('2024-05-01T12:00:00Z');
const EVENTS = 1000;
const PREFIXES = 20;
/** The target: the whole batching path (dedupe, header, members) per event. */
const TARGET_WRITE_UNITS_PER_EVENT = 1;

function invocation(round: number): DeliveredBatchEvent[] {
  return Array.from({ length: EVENTS }, (_, i) => ({
    bucket: 'bench-bucket',
    key: `instrument-${i % PREFIXES}/run-${round}/object-${String(i).padStart(5, '0')}.tif`,
    type: 'created' as const,
    time: T0 + round * 60_000 + i * 10,
    sequencer: `${round.toString(16).padStart(4, '0')}${i.toString(16).padStart(12, '0')}`,
    deliveryId: `message-${round}-${i}`,
  }));
}

/**
 * Write units and requests of the durable batching path against DynamoDB
 * Local (which reports capacity as AWS bills it), for one ingest invocation
 * of 1,000 events over 20 prefixes, compared with the obvious design measured
 * in the same run: per event a conditional PutItem for dedupe and an
 * UpdateItem of its batch header.
 */
export async function run(): Promise<BenchSection[]> {
  const servers = await startLocalServers();
  const clients = createAwsClients(servers.endpoints, { local: true });
  try {
    const tableName = `bench-batches-${Date.now()}`;
    await ensureTable(clients.dynamodb, batchesTable, tableName);
    const accounting = new RequestAccounting().attach({ dynamodb: clients.dynamodb });
    const store = new DynamoDbBatchStore({ client: clients.dynamodb, tableName, clock: () => T0 });
    const rows: Record<string, string | number>[] = [];
    const measure = async (label: string, act: () => Promise<unknown>) => {
      accounting.reset();
      await act();
      const total = accounting.total('dynamodb');
      const writeUnits = accounting.writeUnits();
      rows.push({
        scenario: label,
        requests: total.requests,
        UpdateItem: accounting.requests('dynamodb', 'UpdateItem'),
        BatchWriteItem: accounting.requests('dynamodb', 'BatchWriteItem'),
        TransactWriteItems: accounting.requests('dynamodb', 'TransactWriteItems'),
        'write units': fmt(writeUnits, 1),
        'WU / event': fmt(writeUnits / EVENTS, 3),
      });
      return writeUnits;
    };

    const baseline = await measure('baseline: PutItem + UpdateItem per event', async () => {
      for (const event of invocation(0)) {
        await clients.dynamodb.send(
          new PutItemCommand({
            TableName: tableName,
            Item: { pk: { S: `naive#${event.key}#${event.sequencer}` }, sk: { S: 'D' } },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        await clients.dynamodb.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: { pk: { S: `naive#${event.key.split('/')[0]}` }, sk: { S: 'H' } },
            UpdateExpression: 'ADD #c :one SET lastEventAt = :t',
            ExpressionAttributeNames: { '#c': 'count' },
            ExpressionAttributeValues: { ':one': { N: '1' }, ':t': { N: String(event.time) } },
          }),
        );
      }
    });
    const apply = (automationId: string, round: number, count: number) => () =>
      store.apply(
        {
          automationId,
          policy: createBatchPolicy({ prefixDepth: 1, count }),
          events: invocation(round),
        },
        T0 + round * 60_000,
      );
    const first = await measure('store: first invocation (opens 20 batches)', apply('a1', 0, 1000));
    const later = await measure('store: next invocation (extends them)', apply('a1', 1, 1000));
    const closing = await measure('store: count 20 (closes 50 batches)', apply('a2', 0, 20));
    const worst = Math.max(first, later, closing);
    return [
      {
        title: `DynamoDB batch store: ${fmt(EVENTS)} events over ${PREFIXES} prefixes per invocation`,
        rows,
        checks: [
          {
            name: 'write units per event, whole batching path',
            pass: worst / EVENTS <= TARGET_WRITE_UNITS_PER_EVENT,
            detail: `worst ${fmt(worst / EVENTS, 3)} WU/event (target <= ${TARGET_WRITE_UNITS_PER_EVENT}); ${fmt(baseline / Math.max(first, 1), 1)}x fewer than the baseline`,
          },
        ],
      },
    ];
  } finally {
    destroyAwsClients(clients);
    await servers.stop();
  }
}
