import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import type { TableDefinition } from '../../lambdas/adapters/aws/dynamodb/table-definition.js';
import {
  type Item,
  indexWriteUnits,
  itemSize,
  readUnitsFor,
  writeUnitsFor,
} from './dynamodb-item-size.js';

/** What one DynamoDB request cost, as AWS bills it and as DynamoDB Local reported it. */
export interface BilledRequest {
  readonly operation: string;
  readonly ok: boolean;
  readonly awsWriteUnits: number;
  readonly awsReadUnits: number;
  readonly localWriteUnits: number;
  readonly localReadUnits: number;
  /** Per table: the AWS-billed units of this request. */
  readonly tables: ReadonlyMap<string, { readonly write: number; readonly read: number }>;
}

/** An item a write touches: its table, key and, for a put, the item written. */
interface Target {
  readonly table: string;
  readonly key: Item;
  readonly put?: Item;
  readonly kind: 'put' | 'update' | 'delete' | 'check';
}

type Input = Record<string, unknown>;

/**
 * Computes what a DynamoDB request costs on AWS from the sizes of the items
 * it touches, reading each item before and after the request through a
 * shadow client that is not itself billed. Rules (AWS on-demand):
 * - a write bills 1 unit per KB of the larger of the item before and after,
 *   at least 1, also when its condition fails;
 * - each global index the item enters, leaves or changes in bills its own
 *   write of the index entry's size (a key change is a delete and a put);
 * - a transaction bills every item twice (prepare and commit), index writes
 *   included; a cancelled transaction is billed the same (an upper bound);
 * - a read bills 1 unit per 4 KB of the items it evaluates (filters and
 *   projections do not reduce it), half for eventually consistent reads;
 *   transactional reads twice.
 * The before and after reads race with concurrent writes to the same item;
 * benches that use this run their writes without such races.
 */
export class AwsBilling {
  readonly #shadow: DynamoDBClient;
  readonly #tables: ReadonlyMap<string, TableDefinition>;

  /** `tables` maps each table name to its definition (keys and indexes). */
  constructor(shadow: DynamoDBClient, tables: ReadonlyMap<string, TableDefinition>) {
    this.#shadow = shadow;
    this.#tables = tables;
  }

  /** Runs `send` and returns its result with what it cost. */
  async bill<T>(
    operation: string,
    input: Input,
    send: () => Promise<T>,
  ): Promise<{ result: T; billed: BilledRequest } | { error: unknown; billed: BilledRequest }> {
    const targets = this.#targets(operation, input);
    const before = await Promise.all(targets.map((target) => this.#get(target.table, target.key)));
    let result: T | undefined;
    let error: unknown;
    let ok = true;
    try {
      result = await send();
    } catch (thrown) {
      ok = false;
      error = thrown;
    }
    const output = (result ?? {}) as Input;
    const unprocessed = new Set(
      this.#targets('BatchWriteItem', { RequestItems: output.UnprocessedItems }).map((target) =>
        keyId(target.table, target.key),
      ),
    );
    const tables = new Map<string, { write: number; read: number }>();
    const add = (table: string, write: number, read: number) => {
      const sum = tables.get(table) ?? { write: 0, read: 0 };
      sum.write += write;
      sum.read += read;
      tables.set(table, sum);
    };
    const factor = operation === 'TransactWriteItems' ? 2 : 1;
    for (const [index, target] of targets.entries()) {
      if (unprocessed.has(keyId(target.table, target.key))) continue;
      const old = before[index];
      const applied = ok && target.kind !== 'check';
      const after = applied
        ? target.kind === 'delete'
          ? undefined
          : (target.put ?? (await this.#get(target.table, target.key)))
        : old;
      const written = target.kind === 'put' ? target.put : after;
      let units = writeUnitsFor(Math.max(itemSize(old), itemSize(written)));
      const definition = this.#tables.get(target.table);
      if (applied && definition) units += indexWriteUnits(definition, old, after);
      add(target.table, factor * units, 0);
    }
    for (const [table, read] of await this.#reads(operation, input, output)) add(table, 0, read);
    const local = localCapacity(operation, output);
    let awsWriteUnits = 0;
    let awsReadUnits = 0;
    for (const sum of tables.values()) {
      awsWriteUnits += sum.write;
      awsReadUnits += sum.read;
    }
    const billed: BilledRequest = { operation, ok, awsWriteUnits, awsReadUnits, ...local, tables };
    return ok ? { result: result as T, billed } : { error, billed };
  }

  #keyOf(table: string, item: Item): Item {
    const definition = this.#tables.get(table);
    const names = definition
      ? [definition.partitionKey.name, definition.sortKey?.name]
      : ['pk', 'sk'];
    const key: Item = {};
    for (const name of names) {
      const value = name === undefined ? undefined : item[name];
      if (name !== undefined && value !== undefined) key[name] = value;
    }
    return key;
  }

  #targets(operation: string, input: Input): Target[] {
    switch (operation) {
      case 'PutItem': {
        const table = String(input.TableName);
        const put = input.Item as Item;
        return [{ table, key: this.#keyOf(table, put), put, kind: 'put' }];
      }
      case 'UpdateItem':
      case 'DeleteItem':
        return [
          {
            table: String(input.TableName),
            key: input.Key as Item,
            kind: operation === 'UpdateItem' ? 'update' : 'delete',
          },
        ];
      case 'BatchWriteItem':
        return Object.entries((input.RequestItems ?? {}) as Record<string, Input[]>).flatMap(
          ([table, requests]) =>
            requests.map((request): Target => {
              const put = (request.PutRequest as Input | undefined)?.Item as Item | undefined;
              if (put) return { table, key: this.#keyOf(table, put), put, kind: 'put' };
              const key = (request.DeleteRequest as Input | undefined)?.Key as Item;
              return { table, key, kind: 'delete' };
            }),
        );
      case 'TransactWriteItems':
        return ((input.TransactItems ?? []) as Input[]).flatMap((entry): Target[] => {
          const put = entry.Put as Input | undefined;
          if (put) {
            const table = String(put.TableName);
            const item = put.Item as Item;
            return [{ table, key: this.#keyOf(table, item), put: item, kind: 'put' }];
          }
          for (const kind of ['Update', 'Delete', 'ConditionCheck'] as const) {
            const action = entry[kind] as Input | undefined;
            if (!action) continue;
            const mapped = kind === 'Update' ? 'update' : kind === 'Delete' ? 'delete' : 'check';
            return [{ table: String(action.TableName), key: action.Key as Item, kind: mapped }];
          }
          return [];
        });
      default:
        return [];
    }
  }

  async #reads(operation: string, input: Input, output: Input): Promise<Map<string, number>> {
    const reads = new Map<string, number>();
    const add = (table: string, units: number) => reads.set(table, (reads.get(table) ?? 0) + units);
    switch (operation) {
      case 'GetItem': {
        const table = String(input.TableName);
        const item = input.ProjectionExpression
          ? await this.#get(table, input.Key as Item)
          : (output.Item as Item | undefined);
        add(table, readUnitsFor(itemSize(item), input.ConsistentRead === true));
        break;
      }
      case 'BatchGetItem':
        for (const [table, request] of Object.entries(
          (input.RequestItems ?? {}) as Record<string, Input>,
        )) {
          for (const key of (request.Keys ?? []) as Item[]) {
            const item = await this.#get(table, key);
            add(table, readUnitsFor(itemSize(item), request.ConsistentRead === true));
          }
        }
        break;
      case 'TransactGetItems':
        for (const entry of (input.TransactItems ?? []) as Input[]) {
          const get = entry.Get as Input;
          const table = String(get.TableName);
          add(table, 2 * readUnitsFor(itemSize(await this.#get(table, get.Key as Item)), true));
        }
        break;
      case 'Query':
      case 'Scan': {
        const table = String(input.TableName);
        const evaluated = await this.#evaluated(operation, input, output);
        const bytes = evaluated.reduce((sum, item) => sum + itemSize(item), 0);
        add(table, readUnitsFor(bytes, input.ConsistentRead === true));
        break;
      }
    }
    return reads;
  }

  /** The items a query or scan read, before its filter and projection. */
  async #evaluated(operation: string, input: Input, output: Input): Promise<Item[]> {
    if (!input.FilterExpression && !input.ProjectionExpression && !input.Select) {
      return (output.Items ?? []) as Item[];
    }
    const { FilterExpression, ProjectionExpression, Select, ...rest } = input;
    const unfiltered = pruneExpressionValues(rest);
    const command =
      operation === 'Query'
        ? new QueryCommand(unfiltered as never)
        : new ScanCommand(unfiltered as never);
    const page = (await this.#shadow.send(command as never)) as { Items?: Item[] };
    return page.Items ?? [];
  }

  async #get(table: string, key: Item): Promise<Item | undefined> {
    const { Item } = await this.#shadow.send(
      new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }),
    );
    return Item;
  }
}

/** Drops expression names and values no remaining expression mentions (DynamoDB rejects unused ones). */
function pruneExpressionValues(input: Input): Input {
  const expressions = ['KeyConditionExpression', 'ProjectionExpression', 'FilterExpression']
    .map((name) => String(input[name] ?? ''))
    .join(' ');
  const keep = <T>(map: unknown): Record<string, T> | undefined => {
    if (!map) return undefined;
    const kept = Object.fromEntries(
      Object.entries(map as Record<string, T>).filter(([token]) =>
        new RegExp(`${token.replace(/[$#:]/g, '\\$&')}(?![A-Za-z0-9_])`).test(expressions),
      ),
    );
    return Object.keys(kept).length > 0 ? kept : undefined;
  };
  const { ExpressionAttributeNames, ExpressionAttributeValues, ...rest } = input;
  const names = keep<string>(ExpressionAttributeNames);
  const values = keep<AttributeValue>(ExpressionAttributeValues);
  return {
    ...rest,
    ...(names ? { ExpressionAttributeNames: names } : {}),
    ...(values ? { ExpressionAttributeValues: values } : {}),
  };
}

function keyId(table: string, key: Item): string {
  return `${table}\u0000${JSON.stringify(Object.entries(key).sort(([a], [b]) => a.localeCompare(b)))}`;
}

function localCapacity(
  operation: string,
  output: Input,
): { localWriteUnits: number; localReadUnits: number } {
  const entries = output.ConsumedCapacity;
  const list = (Array.isArray(entries) ? entries : entries ? [entries] : []) as Input[];
  const units = list.reduce((sum, entry) => sum + Number(entry.CapacityUnits ?? 0), 0);
  return WRITE_OPERATIONS.has(operation)
    ? { localWriteUnits: units, localReadUnits: 0 }
    : { localWriteUnits: 0, localReadUnits: units };
}

const WRITE_OPERATIONS: ReadonlySet<string> = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
]);
