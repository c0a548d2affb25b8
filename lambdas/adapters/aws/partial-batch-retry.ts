import { setTimeout as sleep } from 'node:timers/promises';
import { mapConcurrent } from '../../core/collections.js';

/** One entry of a batch call that the service did not accept. */
export interface EntryFailure {
  /** Index of the entry in the batch that was sent. */
  readonly index: number;
  readonly code: string;
  readonly message: string;
  /** False for faults of the entry itself (malformed, too large): sending it again cannot help. */
  readonly retryable: boolean;
}

/** An entry still refused after every attempt. */
export interface FailedEntry<T> {
  readonly entry: T;
  readonly code: string;
  readonly message: string;
}

export interface PartialRetryOptions {
  /** Calls per batch, the first included. */
  readonly maxAttempts: number;
  /** First backoff; it doubles per attempt, with full jitter on its upper half. */
  readonly baseDelayMs: number;
  /** Batches in flight at once. */
  readonly concurrency: number;
}

/**
 * Splits `entries` into batches (at most `maxEntries` each and, with
 * `sizeOf`, at most `maxBytes` in total), sends every batch and sends the
 * retryable failures of each batch again, alone, with backoff. Returns the
 * entries still refused; a call that throws (after the SDK's own retries)
 * counts as a retryable failure of every entry it carried.
 *
 * @example
 * ```ts
 * const failed = await sendInBatches(messages, { maxEntries: 10 }, sendBatch, options);
 * ```
 */
export async function sendInBatches<T>(
  entries: readonly T[],
  limits: { maxEntries: number; maxBytes?: number; sizeOf?: (entry: T) => number },
  sendBatch: (batch: readonly T[]) => Promise<readonly EntryFailure[]>,
  options: PartialRetryOptions,
): Promise<FailedEntry<T>[]> {
  const batches = chunk(entries, limits);
  const results = await mapConcurrent(batches, options.concurrency, (batch) =>
    sendWithRetries(batch, sendBatch, options),
  );
  return results.flat();
}

async function sendWithRetries<T>(
  batch: readonly T[],
  sendBatch: (batch: readonly T[]) => Promise<readonly EntryFailure[]>,
  options: PartialRetryOptions,
): Promise<FailedEntry<T>[]> {
  const refused: FailedEntry<T>[] = [];
  let pending: readonly T[] = batch;
  let lastFailures: FailedEntry<T>[] = [];
  for (let attempt = 1; attempt <= options.maxAttempts && pending.length > 0; attempt++) {
    if (attempt > 1) await sleep(backoffMs(attempt - 1, options.baseDelayMs));
    let failures: readonly EntryFailure[];
    try {
      failures = await sendBatch(pending);
    } catch (error) {
      const { name, message } = error instanceof Error ? error : new Error(String(error));
      failures = pending.map((_, index) => ({ index, code: name, message, retryable: true }));
    }
    const retry: T[] = [];
    lastFailures = [];
    for (const failure of failures) {
      const entry = pending[failure.index];
      if (entry === undefined) continue;
      const failed = { entry, code: failure.code, message: failure.message };
      if (failure.retryable) {
        retry.push(entry);
        lastFailures.push(failed);
      } else {
        refused.push(failed);
      }
    }
    pending = retry;
  }
  return [...refused, ...(pending.length > 0 ? lastFailures : [])];
}

/** Upper half full jitter: never less than half the exponential step, so retries spread out. */
function backoffMs(retry: number, baseMs: number): number {
  const ceiling = baseMs * 2 ** (retry - 1);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/**
 * Consecutive runs of at most `maxEntries` entries whose sizes sum to at
 * most `maxBytes`. An entry larger than `maxBytes` gets a batch of its own
 * (the caller rejects such entries before sending).
 *
 * @example
 * ```ts
 * chunk([1, 2, 3], { maxEntries: 2 }); // [[1, 2], [3]]
 * ```
 */
export function chunk<T>(
  entries: readonly T[],
  limits: { maxEntries: number; maxBytes?: number; sizeOf?: (entry: T) => number },
): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = limits.sizeOf?.(entry) ?? 0;
    const overBytes = limits.maxBytes !== undefined && bytes + size > limits.maxBytes;
    if (current.length > 0 && (current.length >= limits.maxEntries || overBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
