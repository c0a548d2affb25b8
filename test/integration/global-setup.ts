import type { TestProject } from 'vitest/node';
import type { AwsEndpoints } from '../../lambdas/adapters/aws/aws-clients.js';
import { startLocalServers } from '../../lambdas/adapters/local/local-servers.js';

declare module 'vitest' {
  export interface ProvidedContext {
    awsEndpoints: AwsEndpoints;
  }
}

/**
 * Starts DynamoDB Local, the SQS server and the S3 server once for the whole
 * integration project, on free loopback ports, and stops them afterwards.
 */
export default async function setup(project: TestProject) {
  const servers = await startLocalServers();
  project.provide('awsEndpoints', servers.endpoints);
  return async () => {
    await servers.stop();
  };
}
