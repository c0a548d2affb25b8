import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../../../core/errors.js';
import { ResourceInUseError } from '../../../core/ports/automation-store.js';
import { AUTOMATIONS, cursorKey, type Item, isConditionFailure } from './items.js';

/** What the automation-store modules share. */
export interface AutomationTableContext {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
}

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export async function getItem(
  context: AutomationTableContext,
  key: Item,
): Promise<Item | undefined> {
  const result = await context.doc.send(
    new GetCommand({ TableName: context.tableName, Key: key, ConsistentRead: true }),
  );
  return result.Item;
}

/**
 * Writes an item whose key must be free: a PutItem conditioned on
 * `attribute_not_exists(pk)`. A taken key rejects with the SDK's
 * ConditionalCheckFailedException (see `isConditionFailure`); callers decide
 * what a taken key means.
 */
export async function putNew(context: AutomationTableContext, item: Item): Promise<void> {
  await context.doc.send(
    new PutCommand({
      TableName: context.tableName,
      Item: item,
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

/** Every item of a partition (optionally under a sort-key prefix, optionally enabled only): one Query, all pages. */
export async function queryPartition(
  context: AutomationTableContext,
  partition: string,
  prefix?: string,
  enabledOnly = false,
): Promise<Item[]> {
  const pages = paginateQuery(
    { client: context.doc },
    {
      TableName: context.tableName,
      KeyConditionExpression: prefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
      ExpressionAttributeValues: {
        ':pk': partition,
        ...(prefix ? { ':prefix': prefix } : {}),
        ...(enabledOnly ? { ':enabled': true } : {}),
      },
      ...(enabledOnly ? { FilterExpression: 'enabled = :enabled' } : {}),
      ConsistentRead: true,
    },
  );
  const items: Item[] = [];
  for await (const page of pages) items.push(...(page.Items ?? []));
  return items;
}

/** A transaction item adding `delta` to the reference count of a cluster or location that must exist. */
export function countReference(
  context: AutomationTableContext,
  key: Item,
  delta: number,
): TransactItem {
  return {
    Update: {
      TableName: context.tableName,
      Key: key,
      UpdateExpression: 'ADD refs :delta',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':delta': delta },
    },
  };
}

/**
 * Deletes a cluster or location unless automations reference it (its
 * `refs` count, kept by the automation transactions). False when absent;
 * throws {@link ResourceInUseError} with the users `users()` names.
 */
export async function deleteUnused(
  context: AutomationTableContext,
  key: Item,
  label: string,
  users: () => Promise<string[]>,
): Promise<boolean> {
  try {
    await context.doc.send(
      new DeleteCommand({
        TableName: context.tableName,
        Key: key,
        ConditionExpression:
          'attribute_exists(pk) AND (attribute_not_exists(refs) OR refs = :zero)',
        ExpressionAttributeValues: { ':zero': 0 },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return true;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    if ((error as { Item?: unknown }).Item === undefined) return false;
    throw new ResourceInUseError(label, await users());
  }
}

export async function readCronCursor(
  context: AutomationTableContext,
  automationId: string,
): Promise<number | undefined> {
  const item = await getItem(context, cursorKey(automationId));
  return typeof item?.lastTickAt === 'number' ? item.lastTickAt : undefined;
}

export async function readCronCursors(
  context: AutomationTableContext,
): Promise<Map<string, number>> {
  const items = await queryPartition(context, AUTOMATIONS, 'C#');
  return new Map(
    items.map((item) => [
      String(item.sk ?? '').slice(2),
      typeof item.lastTickAt === 'number' ? item.lastTickAt : 0,
    ]),
  );
}

/** Compare-and-set of the cron cursor: exactly one of overlapping ticks moves it. */
export async function advanceCronCursor(
  context: AutomationTableContext,
  automationId: string,
  from: number | undefined,
  to: number,
): Promise<boolean> {
  if (!Number.isFinite(to) || (from !== undefined && to <= from)) {
    throw new ValidationError(
      'to',
      `must be a time after the cursor (${String(from)}), got ${to}`,
      'advance the cursor forward only',
    );
  }
  try {
    await context.doc.send(
      new UpdateCommand({
        TableName: context.tableName,
        Key: cursorKey(automationId),
        UpdateExpression: 'SET lastTickAt = :to',
        ConditionExpression: from === undefined ? 'attribute_not_exists(pk)' : 'lastTickAt = :from',
        ExpressionAttributeValues: {
          ':to': to,
          ...(from === undefined ? {} : { ':from': from }),
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
