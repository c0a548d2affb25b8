import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { type AwsClients, createAwsClients } from '../../../lambdas/adapters/aws/aws-clients.js';

/** Clients for the local servers of the global setup; the guard refuses any non-loopback endpoint. */
export function localClients(): AwsClients {
  return createAwsClients(inject('awsEndpoints'), { local: true });
}

/** A name no other test file uses, so test files can share one server and run in parallel. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
