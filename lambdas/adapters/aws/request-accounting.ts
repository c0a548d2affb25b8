import type { AwsClients } from './aws-clients.js';

/** DynamoDB operations whose capacity is billed in write units. */
const WRITE_OPERATIONS = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
]);
/** DynamoDB operations that accept ReturnConsumedCapacity. */
const CAPACITY_OPERATIONS = new Set([
  ...WRITE_OPERATIONS,
  'GetItem',
  'BatchGetItem',
  'Query',
  'Scan',
  'TransactGetItems',
]);

interface ConsumedCapacityLike {
  CapacityUnits?: number;
}

export interface OperationCount {
  /** Calls made through the client (SDK retries of one call count once). */
  requests: number;
  /** Calls that ended in an error (a failed conditional write, say). */
  errors: number;
  /** Capacity units DynamoDB reported (ReturnConsumedCapacity TOTAL). */
  capacityUnits: number;
}

/**
 * Counts the requests each AWS client sends, per service and operation, and
 * sums the capacity DynamoDB reports. Tests use it to prove a path's cost;
 * `npm run bench` prints it.
 *
 * @example
 * ```ts
 * const accounting = new RequestAccounting();
 * accounting.attach(clients);
 * await ingest(events);
 * accounting.total('dynamodb'); // { requests: 21, errors: 0, capacityUnits: 40 }
 * ```
 */
export class RequestAccounting {
  readonly #counts = new Map<string, OperationCount>();

  /** Adds the counting middleware to every client (once per client). */
  attach(clients: Partial<AwsClients>): this {
    for (const [service, client] of Object.entries(clients)) {
      if (client) this.attachClient(service, client);
    }
    return this;
  }

  attachClient(service: string, client: { middlewareStack: unknown }): this {
    const name = 'bucketflowRequestAccounting';
    // Every SDK v3 client's stack has this shape; its full generic type differs per client.
    const stack = (client as MiddlewareHost).middlewareStack;
    stack.remove(name);
    stack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
        const input = args.input as Record<string, unknown>;
        if (service === 'dynamodb' && CAPACITY_OPERATIONS.has(operation)) {
          input.ReturnConsumedCapacity ??= 'TOTAL';
        }
        const count = this.#entry(`${service}:${operation}`);
        count.requests++;
        try {
          const result = await next(args);
          const output = result.output as { ConsumedCapacity?: unknown };
          count.capacityUnits += sumCapacity(output.ConsumedCapacity);
          return result;
        } catch (error) {
          count.errors++;
          throw error;
        }
      },
      { step: 'initialize', name },
    );
    return this;
  }

  #entry(key: string): OperationCount {
    let entry = this.#counts.get(key);
    if (!entry) {
      entry = { requests: 0, errors: 0, capacityUnits: 0 };
      this.#counts.set(key, entry);
    }
    return entry;
  }

  /** Counts keyed `service:Operation`, e.g. `dynamodb:UpdateItem`. */
  snapshot(): Record<string, OperationCount> {
    return Object.fromEntries([...this.#counts].map(([key, value]) => [key, { ...value }]));
  }

  /** The sum over one service, or over the operations a predicate selects. */
  total(service: string, operation?: (name: string) => boolean): OperationCount {
    const sum: OperationCount = { requests: 0, errors: 0, capacityUnits: 0 };
    for (const [key, value] of this.#counts) {
      const [keyService, name = ''] = key.split(':');
      if (keyService !== service || (operation && !operation(name))) continue;
      sum.requests += value.requests;
      sum.errors += value.errors;
      sum.capacityUnits += value.capacityUnits;
    }
    return sum;
  }

  /** DynamoDB write units: the capacity reported by write operations. */
  writeUnits(): number {
    return this.total('dynamodb', (name) => WRITE_OPERATIONS.has(name)).capacityUnits;
  }

  /** DynamoDB read units: the capacity reported by read operations. */
  readUnits(): number {
    return this.total('dynamodb', (name) => !WRITE_OPERATIONS.has(name)).capacityUnits;
  }

  requests(service: string, operation: string): number {
    return this.#counts.get(`${service}:${operation}`)?.requests ?? 0;
  }

  reset(): void {
    this.#counts.clear();
  }
}

function sumCapacity(consumed: unknown): number {
  if (!consumed) return 0;
  const entries = Array.isArray(consumed) ? consumed : [consumed];
  return entries.reduce(
    (sum: number, entry: ConsumedCapacityLike) => sum + (entry.CapacityUnits ?? 0),
    0,
  );
}

/**
 * The part of an SDK v3 client that middleware is attached through: what
 * the accounting (and test fault injection) needs, without naming a service.
 *
 * @example
 * ```ts
 * (client as unknown as MiddlewareHost).middlewareStack.remove('bucketflowRequestAccounting');
 * ```
 */
export interface MiddlewareHost {
  middlewareStack: {
    add(
      middleware: (
        next: (args: { input: unknown }) => Promise<{ output: unknown }>,
        context: { commandName?: string },
      ) => (args: { input: unknown }) => Promise<{ output: unknown }>,
      options: { step: 'initialize'; name: string },
    ): void;
    remove(name: string): boolean;
  };
}
