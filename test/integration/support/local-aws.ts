import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { type AwsClients, createAwsClients } from '../../../lambdas/adapters/aws/aws-clients.js';
import { ensureTable } from '../../../lambdas/adapters/aws/dynamodb/table-definition.js';
import { automationsTable } from '../../../lambdas/adapters/aws/dynamodb/tables/automations-table.js';
import { batchesTable } from '../../../lambdas/adapters/aws/dynamodb/tables/batches-table.js';
import { jobsTable } from '../../../lambdas/adapters/aws/dynamodb/tables/jobs-table.js';
import type { Connection } from '../../../lambdas/sdk/connection.js';

/** Clients for the local servers of the global setup; the guard refuses any non-loopback endpoint. */
export function localClients(): AwsClients {
  return createAwsClients(inject('awsEndpoints'), { local: true });
}

/** A name no other test file uses, so test files can share one server and run in parallel. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/**
 * A deployment of its own on the local servers: the three tables under
 * unique names and a unique task queue prefix, as a {@link Connection}
 * (without a pid, so `readLocalConnection` never calls it stale).
 */
export async function createLocalDeployment(
  prefix: string,
): Promise<{ readonly clients: AwsClients; readonly connection: Connection }> {
  const clients = localClients();
  const tables = {
    jobs: uniqueName(`${prefix}-jobs`),
    automations: uniqueName(`${prefix}-autos`),
    batches: uniqueName(`${prefix}-batches`),
  };
  await Promise.all([
    ensureTable(clients.dynamodb, jobsTable, tables.jobs),
    ensureTable(clients.dynamodb, automationsTable, tables.automations),
    ensureTable(clients.dynamodb, batchesTable, tables.batches),
  ]);
  const connection: Connection = {
    kind: 'local',
    endpoints: inject('awsEndpoints'),
    tables,
    taskQueuePrefix: `${uniqueName(prefix)}-`,
  };
  return { clients, connection };
}
