import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The one way the stores talk to DynamoDB: lib-dynamodb's DocumentClient
 * over the injected client (so request accounting and endpoints carry over),
 * with undefined attributes left out rather than refused, as every store
 * writes only the attributes it has.
 *
 * @example
 * ```ts
 * const doc = documentClient(clients.dynamodb);
 * ```
 */
export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}
