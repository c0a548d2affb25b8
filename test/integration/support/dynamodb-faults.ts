import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { MiddlewareHost } from '../../../lambdas/adapters/aws/request-accounting.js';

/** A request as the fault injector sees it, with a label saying what it writes or reads. */
export interface ObservedRequest {
  /** `PutItem`, `TransactWriteItems`, ... */
  readonly operation: string;
  readonly input: Record<string, unknown>;
}

/**
 * When to fail a request: `before` sends nothing, `after` sends it (it
 * commits) and then throws, as a Lambda that times out or crashes after
 * DynamoDB applied its write; undefined lets it through.
 */
export type FaultDecision = 'before' | 'after' | undefined;

/** The error an injected fault throws. */
export class InjectedFault extends Error {
  constructor(operation: string, when: 'before' | 'after') {
    super(`injected fault ${when} ${operation}`);
    this.name = 'InjectedFault';
  }
}

/**
 * Fails chosen requests of a DynamoDB client (which must be the test's own:
 * the middleware stays on it). DynamoDB Local never fails on its own, so
 * this is the only way to make it fail before or after a write commits.
 */
export function injectDynamoDbFaults(
  client: DynamoDBClient,
  decide: (request: ObservedRequest) => FaultDecision,
): void {
  const stack = (client as unknown as MiddlewareHost).middlewareStack;
  stack.remove(NAME);
  stack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName ?? '').replace(/Command$/, '');
      const when = decide({ operation, input: args.input as Record<string, unknown> });
      if (when === 'before') throw new InjectedFault(operation, when);
      const result = await next(args);
      if (when === 'after') throw new InjectedFault(operation, when);
      return result;
    },
    { step: 'initialize', name: NAME },
  );
}

const NAME = 'bucketflowTestDynamoDbFaults';

/**
 * Whether a request writes an item whose sort key starts with `prefix`
 * (`HEAD`, `M#`, `D#`). The fault middleware sits in the client's initialize
 * step, which sees a DocumentClient's input before it is marshalled
 * (`sk: 'HEAD'`) and a low-level client's as sent (`sk: { S: 'HEAD' }`): both match.
 */
export function writesSortKey(request: ObservedRequest, prefix: string): boolean {
  const items: unknown[] = [];
  const input = request.input;
  if (input.Item) items.push(input.Item);
  if (input.Key) items.push(input.Key);
  for (const entry of (input.TransactItems ?? []) as Record<
    string,
    { Item?: unknown; Key?: unknown }
  >[]) {
    for (const action of Object.values(entry)) items.push(action.Item ?? action.Key);
  }
  for (const requests of Object.values((input.RequestItems ?? {}) as Record<string, unknown>)) {
    for (const request of Array.isArray(requests) ? requests : []) {
      items.push((request as { PutRequest?: { Item?: unknown } }).PutRequest?.Item);
    }
  }
  return items.some((item) => {
    const sk = keyString((item as { sk?: unknown } | undefined)?.sk);
    return sk?.startsWith(prefix) === true;
  });
}

/**
 * A string key attribute as a middleware in the initialize step sees it:
 * plain from a DocumentClient (`'HEAD'`), marshalled from a low-level
 * client (`{ S: 'HEAD' }`); undefined for anything else.
 */
export function keyString(value: unknown): string | undefined {
  const text = typeof value === 'object' && value !== null ? (value as { S?: unknown }).S : value;
  return typeof text === 'string' ? text : undefined;
}
