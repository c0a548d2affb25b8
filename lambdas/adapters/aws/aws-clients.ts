import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NonLocalEndpointError } from './errors.js';

/**
 * Where the AWS APIs are served. On AWS every endpoint is left out (the SDK's
 * defaults apply); in local mode and in tests each points at a local server.
 */
export interface AwsEndpoints {
  readonly region: string;
  readonly dynamodb?: string;
  readonly sqs?: string;
  readonly s3?: string;
  /** There is no local EventBridge; local mode injects an in-process publisher instead. */
  readonly eventbridge?: string;
  /** On AWS: the named profile whose credentials the clients use. @default the SDK's chain */
  readonly profile?: string;
}

export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly s3: S3Client;
  readonly eventbridge: EventBridgeClient;
}

/** Credentials the local servers accept; they are never valid on AWS. */
// DynamoDB Local accepts only letters and digits in the access key id.
const LOCAL_CREDENTIALS = { accessKeyId: 'bucketflowlocal', secretAccessKey: 'bucketflowlocal' };
// The S3 server knows exactly one access key.
const LOCAL_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * Creates one client per service. With `local: true` every endpoint must be on
 * loopback and fixed local credentials are used, so that no request can reach AWS.
 *
 * @example
 * ```ts
 * const clients = createAwsClients(servers.endpoints, { local: true });
 * ```
 */
export function createAwsClients(
  endpoints: AwsEndpoints,
  { local = false }: { local?: boolean } = {},
): AwsClients {
  if (local) assertLocalEndpoints(endpoints);
  const common = {
    region: endpoints.region,
    ...(local ? { credentials: LOCAL_CREDENTIALS } : {}),
    ...(!local && endpoints.profile ? { profile: endpoints.profile } : {}),
  };
  const at = (endpoint: string | undefined) => (endpoint ? { endpoint } : {});
  return {
    dynamodb: new DynamoDBClient({ ...common, ...at(endpoints.dynamodb) }),
    sqs: new SQSClient({ ...common, ...at(endpoints.sqs) }),
    s3: new S3Client({
      ...common,
      ...at(endpoints.s3),
      ...(local ? { credentials: LOCAL_S3_CREDENTIALS, forcePathStyle: true } : {}),
    }),
    eventbridge: new EventBridgeClient({ ...common, ...at(endpoints.eventbridge) }),
  };
}

/** Refuses any endpoint that is absent or not on loopback. */
export function assertLocalEndpoints(endpoints: AwsEndpoints): void {
  for (const service of ['dynamodb', 'sqs', 's3'] as const) {
    const endpoint = endpoints[service];
    if (!endpoint) {
      throw new NonLocalEndpointError(
        `${service}: a local run needs an explicit loopback endpoint; without one the SDK would call AWS`,
      );
    }
    const host = new URL(endpoint).hostname;
    if (!LOOPBACK_HOSTS.has(host)) {
      throw new NonLocalEndpointError(
        `${service}: endpoint ${endpoint} is not on loopback; local runs and tests only talk to 127.0.0.1`,
      );
    }
  }
  if (endpoints.eventbridge && !LOOPBACK_HOSTS.has(new URL(endpoints.eventbridge).hostname)) {
    throw new NonLocalEndpointError(
      `eventbridge: endpoint ${endpoints.eventbridge} is not on loopback`,
    );
  }
}

/** Closes every client's sockets. */
export function destroyAwsClients(clients: AwsClients): void {
  for (const client of Object.values(clients)) client.destroy();
}
