import {
  DynamoDbBatchStore,
  type DynamoDbBatchStoreOptions,
} from '../../../lambdas/adapters/aws/batch-store/dynamodb-batch-store.js';
import { ensureTable } from '../../../lambdas/adapters/aws/dynamodb/table-definition.js';
import { batchesTable } from '../../../lambdas/adapters/aws/dynamodb/tables/batches-table.js';
import {
  type BatchPolicyInput,
  createBatchPolicy,
} from '../../../lambdas/core/batching/batch-thresholds.js';
import type { DeliveredBatchEvent } from '../../../lambdas/core/ports/batch-store.js';
import { localClients, uniqueName } from '../support/local-aws.js';

/** 2024-05-01T12:00:00Z, the start of every scenario. */
export const T0 = Date.parse('2024-05-01T12:00:00Z');

/**
 * A processing time past every test batch's deadline, for a sweep that
 * closes "now, whatever the thresholds": far off, yet within the times the
 * store takes (MAX_BATCH_TIME_MS), so what it derives from it stays exact.
 */
export const FAR_FUTURE_MS = Date.UTC(9000, 0, 1);

/** A fresh table and a store on it; each test file gets its own. */
export async function batchTable(options: Partial<DynamoDbBatchStoreOptions> = {}) {
  const clients = localClients();
  const tableName = uniqueName('batches');
  await ensureTable(clients.dynamodb, batchesTable, tableName);
  const store = (extra: Partial<DynamoDbBatchStoreOptions> = {}) =>
    new DynamoDbBatchStore({
      client: clients.dynamodb,
      tableName,
      clock: () => T0,
      ...options,
      ...extra,
    });
  return { clients, tableName, store };
}

export function policy(input: BatchPolicyInput = {}) {
  return createBatchPolicy({ prefixDepth: 1, count: 20, quietSeconds: 300, ...input });
}

let sequence = 0;

/** A created-object event; sequencer and delivery id unique unless given. */
export function event(
  key: string,
  time: number,
  extra: Partial<DeliveredBatchEvent> = {},
): DeliveredBatchEvent {
  sequence++;
  return {
    bucket: 'bucket-a',
    key,
    type: 'created',
    time,
    sequencer: `SEQ${sequence.toString(16).padStart(12, '0')}`,
    deliveryId: `msg-${sequence}`,
    ...extra,
  };
}

/** A new automation id per test, so tests share a table without sharing batches. */
export function automationId(): string {
  return uniqueName('auto');
}
