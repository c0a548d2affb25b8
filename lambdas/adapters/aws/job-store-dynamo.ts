import { setTimeout as sleep } from 'node:timers/promises';
import type { DynamoDBDocumentClient, TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { JobStoreContentionError } from '../../core/ports/job-store-errors.js';

/** What every job store module needs: the client, the table and the clock. */
export interface JobStoreContext {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly clock: () => number;
  readonly newId: (now: number) => string;
  /** Partitions of each sparse task index (spread writes; queries visit every shard). */
  readonly indexShards: number;
  readonly leaseMs: number;
  readonly defaultCluster: string;
  readonly idempotencyTtlSeconds: number;
}

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Retries of a write that collided with a concurrent transaction on the same item. */
const CONFLICT_RETRIES = 10;

/**
 * A transaction was refused because a condition did not hold. `failed` holds
 * the indices of the items whose condition failed.
 */
export class ConditionFailed extends Error {
  readonly failed: readonly number[];

  constructor(failed: readonly number[]) {
    super(`condition failed on transaction items ${failed.join(', ')}`);
    this.failed = failed;
  }
}

/**
 * Builds an update expression with every attribute name aliased (DynamoDB
 * reserves words such as `state` and `name`) and values numbered.
 */
export class UpdateBuilder {
  readonly #names: Record<string, string> = {};
  readonly #values: Record<string, unknown> = {};
  readonly #set: string[] = [];
  readonly #add: string[] = [];
  readonly #remove: string[] = [];
  readonly #conditions: string[] = [];

  /** The alias of an attribute name. */
  n(attribute: string): string {
    const alias = `#${attribute}`;
    this.#names[alias] = attribute;
    return alias;
  }

  /** The placeholder of a value. */
  v(value: unknown): string {
    const placeholder = `:v${Object.keys(this.#values).length}`;
    this.#values[placeholder] = value;
    return placeholder;
  }

  set(attribute: string, value: unknown): this {
    this.#set.push(`${this.n(attribute)} = ${this.v(value)}`);
    return this;
  }

  add(attribute: string, value: unknown): this {
    this.#add.push(`${this.n(attribute)} ${this.v(value)}`);
    return this;
  }

  remove(...attributes: string[]): this {
    for (const attribute of attributes) this.#remove.push(this.n(attribute));
    return this;
  }

  /** Adds a condition; every condition must hold. */
  when(condition: string): this {
    this.#conditions.push(`(${condition})`);
    return this;
  }

  build() {
    const clauses = [
      this.#set.length ? `SET ${this.#set.join(', ')}` : '',
      this.#add.length ? `ADD ${this.#add.join(', ')}` : '',
      this.#remove.length ? `REMOVE ${this.#remove.join(', ')}` : '',
    ].filter(Boolean);
    return {
      UpdateExpression: clauses.join(' '),
      ...(this.#conditions.length ? { ConditionExpression: this.#conditions.join(' AND ') } : {}),
      ExpressionAttributeNames: this.#names,
      ...(Object.keys(this.#values).length ? { ExpressionAttributeValues: this.#values } : {}),
    };
  }
}

/**
 * Runs one TransactWriteItems. A cancellation caused only by concurrent
 * transactions on the same items (the job item is shared by all of a job's
 * tasks) is retried with jittered backoff, which is safe because a cancelled
 * transaction wrote nothing. A failed condition throws {@link ConditionFailed}.
 */
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

/** FNV-1a of the id, modulo the shard count: spreads a sparse index over partitions. */
export function shardOf(id: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < id.length; index++) {
    hash ^= id.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}
