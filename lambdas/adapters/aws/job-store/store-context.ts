import { setTimeout as sleep } from 'node:timers/promises';
import type { DynamoDBDocumentClient, TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { JobStoreContentionError } from '../../../core/ports/job-store.js';

/** What every job store module needs: the client, the table, the clock and the key layout. */
export interface JobStoreContext {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly clock: () => number;
  readonly newId: (now: number) => string;
  /** Partitions of the due index (spread writes; the reconciler queries every shard). */
  readonly dueShards: number;
  /** Partitions per UTC day of the by-creation index. */
  readonly createdShards: number;
  /** How long after a task became runnable the reconciler first looks at it. */
  readonly checkAfterMs: number;
  readonly leaseMs: number;
  readonly defaultCluster: string;
  readonly idempotencyTtlSeconds: number;
  /**
   * Task items this store claimed, by lease, so that completing or failing
   * the attempt needs no read of attributes that never change (parent,
   * dependents, cluster, retry limits). Entries leave with the attempt.
   */
  readonly claimed: Map<string, Record<string, unknown>>;
  /** UTC days whose marker this store instance wrote (see JOB_DAYS_PK). */
  readonly markedDays: Set<string>;
}

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
type Key = { pk: string; sk: string };

/** One write of a commit: an update of an item, or a conditional put. */
export type Write =
  | { readonly key: Key; readonly update: UpdateBuilder }
  | {
      readonly put: Record<string, unknown>;
      readonly condition?: string;
      readonly values?: Record<string, unknown>;
    };

/** Retries of a write that collided with a concurrent transaction on the same item. */
const CONFLICT_RETRIES = 10;

/**
 * A commit was refused because a condition did not hold. `failed` holds the
 * indices of the writes whose condition failed.
 */
export class ConditionFailed extends Error {
  readonly failed: readonly number[];

  constructor(failed: readonly number[]) {
    super(`condition failed on writes ${failed.join(', ')}`);
    this.failed = failed;
  }
}

/**
 * Builds an update expression with every attribute name aliased (DynamoDB
 * reserves words such as `state` and `name`) and values numbered. Setting an
 * attribute twice keeps the last value, so one builder can carry a task's
 * update and its job's when both are the same item (a job's inline root).
 */
export class UpdateBuilder {
  readonly #names: Record<string, string> = {};
  readonly #values: Record<string, unknown> = {};
  readonly #set = new Map<string, unknown>();
  readonly #add = new Map<string, unknown>();
  readonly #remove = new Set<string>();
  readonly #conditions: string[] = [];

  /** The alias of an attribute name. */
  n(attribute: string): string {
    const alias = `#${attribute}`;
    this.#names[alias] = attribute;
    return alias;
  }

  /** The placeholder of a value (for conditions). */
  v(value: unknown): string {
    const placeholder = `:v${Object.keys(this.#values).length}`;
    this.#values[placeholder] = value;
    return placeholder;
  }

  set(attribute: string, value: unknown): this {
    this.#remove.delete(attribute);
    this.#set.set(attribute, value);
    return this;
  }

  add(attribute: string, value: unknown): this {
    this.#add.set(attribute, value);
    return this;
  }

  remove(...attributes: string[]): this {
    for (const attribute of attributes) {
      if (!this.#set.has(attribute)) this.#remove.add(attribute);
    }
    return this;
  }

  /** Adds a condition; every condition must hold. */
  when(condition: string): this {
    this.#conditions.push(`(${condition})`);
    return this;
  }

  build() {
    const names = { ...this.#names };
    const values = { ...this.#values };
    const alias = (attribute: string) => {
      names[`#${attribute}`] = attribute;
      return `#${attribute}`;
    };
    const placeholder = (value: unknown) => {
      const key = `:v${Object.keys(values).length}`;
      values[key] = value;
      return key;
    };
    const sets = [...this.#set].map(([a, value]) => `${alias(a)} = ${placeholder(value)}`);
    const adds = [...this.#add].map(([a, value]) => `${alias(a)} ${placeholder(value)}`);
    const removes = [...this.#remove].map(alias);
    const clauses = [
      sets.length ? `SET ${sets.join(', ')}` : '',
      adds.length ? `ADD ${adds.join(', ')}` : '',
      removes.length ? `REMOVE ${removes.join(', ')}` : '',
    ].filter(Boolean);
    return {
      UpdateExpression: clauses.join(' '),
      ...(this.#conditions.length ? { ConditionExpression: this.#conditions.join(' AND ') } : {}),
      ExpressionAttributeNames: names,
      ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
    };
  }
}

/**
 * Writes `writes` atomically: one write is a single UpdateItem or PutItem
 * (billed once), several are one TransactWriteItems (billed twice per item).
 * A cancellation caused only by concurrent transactions on the same items
 * is retried with jittered backoff, which is safe because a cancelled write
 * wrote nothing. A failed condition throws {@link ConditionFailed}.
 */
export async function commit(
  context: JobStoreContext,
  operation: string,
  writes: readonly Write[],
): Promise<void> {
  const [only] = writes;
  if (writes.length === 1 && only) {
    const done = await conditionalWrite(operation, () => sendSingle(context, only));
    if (!done) throw new ConditionFailed([0]);
    return;
  }
  await transact(
    context,
    operation,
    writes.map((write) => transactItem(context, write)),
  );
}

function sendSingle(context: JobStoreContext, write: Write): Promise<unknown> {
  if ('put' in write) {
    return context.doc.send(
      new PutCommand({
        TableName: context.tableName,
        Item: write.put,
        ...(write.condition ? { ConditionExpression: write.condition } : {}),
        ...(write.values ? { ExpressionAttributeValues: write.values } : {}),
      }),
    );
  }
  return context.doc.send(
    new UpdateCommand({ TableName: context.tableName, Key: write.key, ...write.update.build() }),
  );
}

function transactItem(context: JobStoreContext, write: Write): TransactItem {
  if ('put' in write) {
    return {
      Put: {
        TableName: context.tableName,
        Item: write.put,
        ...(write.condition ? { ConditionExpression: write.condition } : {}),
        ...(write.values ? { ExpressionAttributeValues: write.values } : {}),
      },
    };
  }
  return { Update: { TableName: context.tableName, Key: write.key, ...write.update.build() } };
}

/** Runs one TransactWriteItems, retrying cancellations caused only by conflicts. */
export async function transact(
  context: JobStoreContext,
  operation: string,
  items: readonly TransactItem[],
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await context.doc.send(new TransactWriteCommand({ TransactItems: [...items] }));
      return;
    } catch (error) {
      const reasons = cancellationCodes(error);
      if (!reasons) {
        if (!isConflict(error)) throw error;
      } else {
        const failed = reasons.flatMap((code, index) =>
          code === 'ConditionalCheckFailed' ? [index] : [],
        );
        if (failed.length > 0) throw new ConditionFailed(failed);
        if (!reasons.some((code) => code === 'TransactionConflict')) throw error;
      }
      if (attempt >= CONFLICT_RETRIES) throw new JobStoreContentionError(operation, attempt);
      await backoff(attempt);
    }
  }
}

/**
 * Runs a single-item write, retrying while it collides with a transaction
 * (TransactionConflictException). Returns false when its condition fails.
 */
export async function conditionalWrite(
  operation: string,
  send: () => Promise<unknown>,
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      await send();
      return true;
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') return false;
      if (!isConflict(error)) throw error;
      if (attempt >= CONFLICT_RETRIES) throw new JobStoreContentionError(operation, attempt);
      await backoff(attempt);
    }
  }
}

/**
 * One conditional UpdateItem that returns the item as written, or undefined
 * when its condition failed; collisions with transactions are retried.
 */
export async function updateReturning(
  context: JobStoreContext,
  operation: string,
  key: Key,
  update: UpdateBuilder,
): Promise<Record<string, unknown> | undefined> {
  let attributes: Record<string, unknown> | undefined;
  const done = await conditionalWrite(operation, async () => {
    const output = await context.doc.send(
      new UpdateCommand({
        TableName: context.tableName,
        Key: key,
        ...update.build(),
        ReturnValues: 'ALL_NEW',
      }),
    );
    attributes = output.Attributes;
  });
  return done ? attributes : undefined;
}

function cancellationCodes(error: unknown): string[] | undefined {
  if (errorName(error) !== 'TransactionCanceledException') return undefined;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
  return reasons?.map((reason) => reason.Code ?? 'None') ?? [];
}

function isConflict(error: unknown): boolean {
  const name = errorName(error);
  return name === 'TransactionConflictException' || name === 'TransactionInProgressException';
}

function errorName(error: unknown): string | undefined {
  return (error as { name?: string } | undefined)?.name;
}

function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(10 * 2 ** attempt, 1000);
  return sleep(ceiling / 2 + Math.random() * (ceiling / 2));
}

/** FNV-1a of the id, modulo the shard count: spreads an index over partitions. */
export function shardOf(id: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < id.length; index++) {
    hash ^= id.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}
