import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AwsBilling, BilledRequest } from './support/aws-billing.js';

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

/** Units of a set of requests, as AWS bills them and as DynamoDB Local reported them. */
export interface BilledUnits {
  readonly requests: number;
  readonly awsWriteUnits: number;
  readonly awsReadUnits: number;
  readonly localWriteUnits: number;
  readonly localReadUnits: number;
}

/**
 * Records, per DynamoDB request, which items it wrote and the capacity each
 * table reported, so that a bench can split a path's cost by table and count
 * the writes of one kind of item (e.g. batch headers). RequestAccounting
 * counts per operation; this adds the item and table view it lacks. With an
 * {@link AwsBilling}, it also computes what each request costs on AWS from
 * item sizes ({@link DynamoDbItemLedger.billedUnits}), beside what DynamoDB
 * Local reported (which under-reports multi-item transactions).
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
  readonly billed: BilledRequest[] = [];
  readonly #capacity = new Map<string, { read: number; write: number }>();
  readonly #billing: AwsBilling | undefined;

  constructor(options: { readonly billing?: AwsBilling } = {}) {
    this.#billing = options.billing;
  }

  attach(client: DynamoDBClient): this {
    const name = 'bucketflowBenchItemLedger';
    const stack = client.middlewareStack as unknown as {
      remove(name: string): boolean;
      add(middleware: Middleware, options: { step: 'initialize' | 'build'; name: string }): void;
    };
    stack.remove(name);
    stack.remove(`${name}Capacity`);
    // DynamoDB Local's own report, beside the billed units.
    stack.add(
      (next) => async (args) => {
        (args.input as Record<string, unknown>).ReturnConsumedCapacity ??= 'TOTAL';
        return next(args);
      },
      { step: 'initialize', name: `${name}Capacity` },
    );
    // The build step runs after the document client has marshalled the input.
    stack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName ?? '').replace(/Command$/, '');
        const input = args.input as Record<string, unknown>;
        const touched = itemWrites(operation, input);
        let result: { output: unknown };
        try {
          result = await this.#send(operation, input, () => next(args));
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

  async #send(
    operation: string,
    input: Record<string, unknown>,
    send: () => Promise<{ output: unknown }>,
  ): Promise<{ output: unknown }> {
    if (!this.#billing) return send();
    let response: { output: unknown } | undefined;
    const outcome = await this.#billing.bill(operation, input, async () => {
      response = await send();
      return response.output;
    });
    this.billed.push(outcome.billed);
    if ('error' in outcome || response === undefined)
      throw 'error' in outcome ? outcome.error : new Error('no response');
    return response;
  }

  /**
   * The requests since the last reset, with the units AWS bills for them
   * (computed from item sizes) and those DynamoDB Local reported; only
   * those touching `table` when it is given.
   */
  billedUnits(table?: string): BilledUnits {
    let requests = 0;
    let awsWriteUnits = 0;
    let awsReadUnits = 0;
    let localWriteUnits = 0;
    let localReadUnits = 0;
    for (const request of this.billed) {
      const share = table === undefined ? undefined : request.tables.get(table);
      if (table !== undefined && share === undefined) continue;
      requests++;
      awsWriteUnits += share?.write ?? request.awsWriteUnits;
      awsReadUnits += share?.read ?? request.awsReadUnits;
      localWriteUnits += request.localWriteUnits;
      localReadUnits += request.localReadUnits;
    }
    return { requests, awsWriteUnits, awsReadUnits, localWriteUnits, localReadUnits };
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
    this.billed.length = 0;
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
