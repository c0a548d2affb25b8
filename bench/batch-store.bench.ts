import { createAwsClients, destroyAwsClients } from '../lambdas/adapters/aws/aws-clients.js';
import { DynamoDbBatchStore } from '../lambdas/adapters/aws/batch-store/dynamodb-batch-store.js';
import { ensureTable } from '../lambdas/adapters/aws/dynamodb/table-definition.js';
import { batchesTable } from '../lambdas/adapters/aws/dynamodb/tables/batches-table.js';
import { startLocalServers } from '../lambdas/adapters/local/local-servers.js';
import { createBatchPolicy } from '../lambdas/core/batching/batch-thresholds.js';
import type { DeliveredBatchEvent } from '../lambdas/core/ports/batch-store.js';
import { DynamoDbItemLedger } from './dynamodb-item-ledger.js';
import { type BenchSection, fmt } from './harness.js';
import { AwsBilling } from './support/aws-billing.js';

const T0 = Date.parse('2024-05-01T12:00:00Z');
const PREFIXES = 20;
/** Events each prefix receives over a scenario: five batches at the default count of 20. */
const EVENTS_PER_PREFIX = 100;
/** Seconds between two ingest invocations (the ingest queue's batching window is 10 s). */
const INVOCATION_GAP_MS = 10_000;
/** The goals, in AWS-billed write units of the batches table per event. */
const GOALS: ReadonlyMap<number, number> = new Map([
  [50, 1.0],
  [1, 2.5],
]);

function invocation(round: number, perPrefix: number): DeliveredBatchEvent[] {
  const events: DeliveredBatchEvent[] = [];
  for (let prefix = 0; prefix < PREFIXES; prefix++) {
    for (let i = 0; i < perPrefix; i++) {
      const n = round * perPrefix + i;
      events.push({
        bucket: 'bench-bucket',
        key: `instrument-${prefix}/object-${String(n).padStart(5, '0')}.tif`,
        type: 'created',
        time: T0 + round * INVOCATION_GAP_MS + i * 10,
        sequencer: `${prefix.toString(16).padStart(4, '0')}${n.toString(16).padStart(12, '0')}`,
        deliveryId: `message-${round}-${prefix}-${i}`,
      });
    }
  }
  return events;
}

/**
 * What the batching items (headers, dedupe, closed and member records) cost
 * per ingested event as AWS bills it, without the delivery ledger's claim
 * that the ingest handler writes first (see request-cost) (computed
 * from item sizes by {@link AwsBilling}, transactions at 2 units per KB per
 * item, index writes included) beside what DynamoDB Local reported, with 50,
 * 10 and 1 events per prefix per invocation. Every scenario sends 100 events
 * to each of 20 prefixes with the default policy (count 20, quiet 300 s),
 * so each prefix closes five batches by count; every closed batch is marked
 * dispatched, as the ingest does after publishing it.
 */
export async function run(): Promise<BenchSection[]> {
  const servers = await startLocalServers();
  const clients = createAwsClients(servers.endpoints, { local: true });
  const shadow = createAwsClients(servers.endpoints, { local: true });
  try {
    const rows: Record<string, string | number>[] = [];
    const checks: NonNullable<BenchSection['checks']>[number][] = [];
    for (const perPrefix of [50, 10, 1]) {
      const tableName = `bench-batches-${perPrefix}-${Date.now()}`;
      await ensureTable(clients.dynamodb, batchesTable, tableName);
      const billing = new AwsBilling(shadow.dynamodb, new Map([[tableName, batchesTable]]));
      const ledger = new DynamoDbItemLedger({ billing }).attach(clients.dynamodb);
      let now = T0;
      const store = new DynamoDbBatchStore({
        client: clients.dynamodb,
        tableName,
        clock: () => now,
      });
      const policy = createBatchPolicy({ prefixDepth: 1 });
      const rounds = EVENTS_PER_PREFIX / perPrefix;
      let closed = 0;
      let failed = 0;
      for (let round = 0; round < rounds; round++) {
        now = T0 + round * INVOCATION_GAP_MS + 5_000;
        const events = invocation(round, perPrefix);
        const result = await store.apply({ automationId: 'bench', policy, events }, now);
        failed += result.failed.length;
        for (const batch of result.closed) await store.markDispatched(batch.batchId, now);
        closed += result.closed.length;
      }
      const events = rounds * perPrefix * PREFIXES;
      const units = ledger.billedUnits(tableName);
      const perEvent = units.awsWriteUnits / events;
      rows.push({
        'events / prefix / invocation': perPrefix,
        invocations: rounds,
        events,
        'batches closed': closed,
        requests: units.requests,
        'AWS WU / event': fmt(perEvent, 3),
        'Local WU / event': fmt(units.localWriteUnits / events, 3),
        'AWS RU / event': fmt(units.awsReadUnits / events, 3),
        'failed groups': failed,
      });
      const goal = GOALS.get(perPrefix);
      if (goal !== undefined) {
        checks.push({
          name: `batch store: AWS-billed write units per event at ${perPrefix} per prefix`,
          pass: perEvent <= goal && failed === 0,
          detail: `${fmt(perEvent, 3)} WU/event (goal <= ${goal}; DynamoDB Local reported ${fmt(units.localWriteUnits / events, 3)})`,
        });
      }
    }
    return [
      {
        title: `DynamoDB batch store: write units per event of the batching items, ${PREFIXES} prefixes x ${EVENTS_PER_PREFIX} events (the delivery ledger's claim, 1 WU per created object on the same table, is in request-cost)`,
        rows,
        checks,
        notes: [
          'AWS WU: computed from item sizes before and after each request (bench/support/aws-billing.ts); a transaction bills 2 units per KB for each item, index writes included.',
          'Local WU: what DynamoDB Local reported (it under-reports multi-item transactions); never an AWS cost.',
        ],
      },
    ];
  } finally {
    destroyAwsClients(clients);
    destroyAwsClients(shadow);
    await servers.stop();
  }
}
