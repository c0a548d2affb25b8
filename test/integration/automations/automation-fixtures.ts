import { DynamoDbAutomationStore } from '../../../lambdas/adapters/aws/automation-store/dynamodb-automation-store.js';
import { ensureTable } from '../../../lambdas/adapters/aws/dynamodb/table-definition.js';
import { automationsTable } from '../../../lambdas/adapters/aws/dynamodb/tables/automations-table.js';
import type { AutomationInput } from '../../../lambdas/core/automations/automation-spec.js';
import { localClients, uniqueName } from '../support/local-aws.js';

/** 2024-05-01T12:00:00Z. */
export const T0 = Date.parse('2024-05-01T12:00:00Z');

/** A fresh table per test file, and a store on it with a fixed clock and counting randomness. */
export async function automationTable() {
  const clients = localClients();
  const tableName = uniqueName('automations');
  await ensureTable(clients.dynamodb, automationsTable, tableName);
  let counter = 0;
  const randomBytes = (size: number) => {
    counter++;
    return Uint8Array.from({ length: size }, (_, index) => (counter * 7 + index * 13) % 256);
  };
  const store = () =>
    new DynamoDbAutomationStore({
      client: clients.dynamodb,
      tableName,
      clock: () => T0,
      randomBytes,
    });
  return { clients, tableName, store };
}

export const task = {
  identifier: { name: 'Thumbnail', version: 'v1.2' },
  input: { size: 256 },
};

/** A storage automation on `location` matching `**.tif`. */
export function storageAutomation(
  location: string,
  extra: Partial<AutomationInput> = {},
): AutomationInput {
  return {
    name: 'thumbnails',
    task,
    triggers: { storage: [{ location, glob: '**.tif' }] },
    ...extra,
  };
}

export function locationName(): string {
  return uniqueName('loc');
}
