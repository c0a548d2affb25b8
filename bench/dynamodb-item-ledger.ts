import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** One item a write request touched: the table and the item's pk/sk. */
export interface ItemWrite {
  readonly operation: string;
  readonly table: string;
  readonly pk: string;
  readonly sk: string;
  /** False when the request failed (a conditional check, a cancelled transaction). */
  readonly ok: boolean;
}

type Middleware = (
  next: (args: { input: unknown }) => Promise<{ output: unknown }>,
  context: { commandName?: string },
) => (args: { input: unknown }) => Promise<{ output: unknown }>;

/**
 * Records, per DynamoDB request, which items it wrote and the capacity each
 * table reported, so that a bench can split a path's cost by table and count
 * the writes of one kind of item (e.g. batch headers). RequestAccounting
 * counts per operation; this adds the item and table view it lacks.
 *
 * @example
 * ```ts
 * const ledger = new DynamoDbItemLedger().attach(clients.dynamodb);
 * await ingest();
 * ledger.writes.filter((w) => w.sk === 'HEAD').length;
 * ```
 */
export class DynamoDbItemLedger {
  readonly writes: ItemWrite[] = [];
  readonly #capacity = new Map<string, { read: number; write: number }>();

  attach(client: DynamoDBClient): this {
    const name = 'bucketflowBenchItemLedger';
    const stack = client.middlewareStack as unknown as {
      remove(name: string): boolean;
      add(middleware: Middleware, options: { step: 'build'; name: string }): void;
    };
    stack.remove(name);
    // The build step runs after the document client has marshalled the input.
    stack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName ?? '').replace(/Command$/, '');
        const touched = itemWrites(operation, args.input as Record<string, unknown>);
        let result: { output: unknown };
        try {
          result = await next(args);
        } catch (error) {
          this.writes.push(...touched.map((write) => ({ ...write, ok: false })));
          throw error;
        }
        this.writes.push(...touched);
        const isWrite = DYNAMODB_WRITES.has(operation);
        for (const entry of asList((result.output as Record<string, unknown>).ConsumedCapacity)) {
          const table = String(entry.TableName ?? '');
          const sum = this.#capacity.get(table) ?? { read: 0, write: 0 };
          if (isWrite) sum.write += Number(entry.CapacityUnits ?? 0);
          else sum.read += Number(entry.CapacityUnits ?? 0);
          this.#capacity.set(table, sum);
        }
        return result;
      },
      { step: 'build', name },
    );
    return this;
  }

  /** Write and read units a table reported since the last reset. */
  capacity(table: string): { read: number; write: number } {
    return this.#capacity.get(table) ?? { read: 0, write: 0 };
  }

  /** The largest number of write requests that touched any one item matching `select`. */
  maxWritesPerItem(select: (write: ItemWrite) => boolean): { max: number; items: number } {
    const counts = new Map<string, number>();
    for (const write of this.writes) {
      if (!select(write)) continue;
      const key = `${write.table}\u0000${write.pk}\u0000${write.sk}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return { max: Math.max(0, ...counts.values()), items: counts.size };
  }

  reset(): void {
    this.writes.length = 0;
    this.#capacity.clear();
  }
}

/** DynamoDB operations that write items. */
export const DYNAMODB_WRITES: ReadonlySet<string> = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
]);

function itemWrites(operation: string, input: Record<string, unknown>): ItemWrite[] {
  const one = (table: unknown, key: unknown): ItemWrite => {
    const attributes = (key ?? {}) as Record<string, unknown>;
    return {
      operation,
      table: String(table ?? ''),
      pk: text(attributes.pk),
      sk: text(attributes.sk),
      ok: true,
    };
  };
  switch (operation) {
    case 'PutItem':
      return [one(input.TableName, input.Item)];
    case 'UpdateItem':
    case 'DeleteItem':
      return [one(input.TableName, input.Key)];
    case 'TransactWriteItems':
      return asList(input.TransactItems).flatMap((item) => {
        const put = item.Put as Record<string, unknown> | undefined;
        if (put) return [one(put.TableName, put.Item)];
        const other = (item.Update ?? item.Delete) as Record<string, unknown> | undefined;
        return other ? [one(other.TableName, other.Key)] : [];
      });
    case 'BatchWriteItem':
      return Object.entries((input.RequestItems ?? {}) as Record<string, unknown>).flatMap(
        ([table, requests]) =>
          asList(requests).map((request) => {
            const put = request.PutRequest as Record<string, unknown> | undefined;
            const del = request.DeleteRequest as Record<string, unknown> | undefined;
            return one(table, put?.Item ?? del?.Key);
          }),
      );
    default:
      return [];
  }
}

/** A key attribute, marshalled (`{ S: 'x' }`) or plain. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'S' in value) return String(value.S);
  return '';
}

function asList(value: unknown): Record<string, unknown>[] {
  if (!value) return [];
  return (Array.isArray(value) ? value : [value]) as Record<string, unknown>[];
}
