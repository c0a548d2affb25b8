import { createHash } from 'node:crypto';
import { BatchWriteItemCommand, QueryCommand, type WriteRequest } from '@aws-sdk/client-dynamodb';
import type { BatchEvent } from '../../../core/batching/batch-events.js';
import { dedupeKey as deliveryIdentity } from '../../../core/batching/batch-events.js';
import { type BatchTableContext, type Item, isExpired, n, s } from './items.js';

/** Fingerprints per dedupe record: 12 bytes each keeps a record far below 400 KB. */
const FINGERPRINTS_PER_RECORD = 20_000;
/** Items per BatchWriteItem call (DynamoDB's limit). */
const ITEMS_PER_BATCH_WRITE = 25;
/** Attempts at writing unprocessed items before the write fails. */
const MAX_WRITE_ATTEMPTS = 8;

export interface DedupeOptions {
  /** Width of the event-time windows dedupe records are grouped by, in whole seconds. */
  readonly windowMs: number;
  /** How long a dedupe record is kept after it is written, in processing time. */
  readonly retentionMs: number;
}

/**
 * The fingerprint of an event's delivery identity (bucket, key, sequencer)
 * as the header and the dedupe records hold it: the event-time window (in
 * base 36 seconds), a dot and 72 bits of SHA-256. A duplicate carries the
 * same event time, so it has the same fingerprint; undefined without a
 * sequencer (such an event is never a duplicate).
 */
export function fingerprintOf(
  event: Pick<BatchEvent, 'bucket' | 'key' | 'sequencer' | 'time'>,
  options: DedupeOptions,
): string | undefined {
  const identity = deliveryIdentity({ ...event, type: 'created' });
  if (identity === undefined) return undefined;
  const window = Math.floor(event.time / options.windowMs) * options.windowMs;
  const hash = createHash('sha256').update(identity).digest('base64url').slice(0, 12);
  return `${Math.floor(window / 1000).toString(36)}.${hash}`;
}

/** The dedupe record (event-time window) a fingerprint belongs in. */
export function windowOf(fingerprint: string): string {
  return fingerprint.slice(0, fingerprint.indexOf('.'));
}

/**
 * The fingerprints of `windows` that dedupe records of the group hold: one
 * strongly consistent Query per window (`D#<window>#…`), paginated. Records
 * past their expiry count as absent.
 */
export async function readDedupeRecords(
  context: BatchTableContext,
  hash: string,
  windows: ReadonlySet<string>,
  now: number,
): Promise<Set<string>> {
  const seen = new Set<string>();
  await Promise.all(
    [...windows].map(async (window) => {
      let start: Item | undefined;
      do {
        const page = await context.client.send(
          new QueryCommand({
            TableName: context.tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :d)',
            ExpressionAttributeValues: { ':pk': s(`G#${hash}`), ':d': s(`D#${window}#`) },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) {
          if (isExpired(item, now)) continue;
          for (const hashed of item.fps?.SS ?? []) seen.add(`${window}.${hashed}`);
        }
        start = page.LastEvaluatedKey;
      } while (start !== undefined);
    }),
  );
  return seen;
}

/** Dedupe records holding `fingerprints`, one per window (and per 20,000), all new items. */
export function dedupeRecords(
  context: BatchTableContext,
  hash: string,
  fingerprints: readonly string[],
  options: DedupeOptions,
  now: number,
): Item[] {
  const byWindow = new Map<string, string[]>();
  for (const fingerprint of fingerprints) {
    const window = windowOf(fingerprint);
    const list = byWindow.get(window) ?? [];
    list.push(fingerprint.slice(window.length + 1));
    byWindow.set(window, list);
  }
  // Expiry counts from `now`, the time it is read against, never from the event time: an
  // event redriven from a DLQ days late must not write a record that is already expired.
  const expiresAt = n(Math.ceil((now + options.retentionMs) / 1000));
  const items: Item[] = [];
  for (const [window, hashes] of byWindow) {
    const unique = [...new Set(hashes)];
    for (let start = 0; start < unique.length; start += FINGERPRINTS_PER_RECORD) {
      items.push({
        pk: s(`G#${hash}`),
        sk: s(`D#${window}#${context.newWriteId()}`),
        fps: { SS: unique.slice(start, start + FINGERPRINTS_PER_RECORD) },
        expiresAt,
      });
    }
  }
  return items;
}

/**
 * Writes items with BatchWriteItem, 25 per call, retrying unprocessed ones
 * with backoff; throws when some are still unwritten (the caller then does
 * not go on to the write that depends on them).
 */
export async function batchWrite(
  context: BatchTableContext,
  items: readonly Item[],
): Promise<void> {
  const calls: Promise<void>[] = [];
  for (let start = 0; start < items.length; start += ITEMS_PER_BATCH_WRITE) {
    calls.push(writeChunk(context, items.slice(start, start + ITEMS_PER_BATCH_WRITE)));
  }
  await Promise.all(calls);
}

async function writeChunk(context: BatchTableContext, items: readonly Item[]): Promise<void> {
  let pending: WriteRequest[] = items.map((Item) => ({ PutRequest: { Item } }));
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt >= MAX_WRITE_ATTEMPTS) {
      throw new Error(`BatchWriteItem left ${pending.length} items unprocessed after retries`);
    }
    if (attempt > 0) await context.sleep(Math.min(25 * 2 ** attempt, 1000));
    const result = await context.client.send(
      new BatchWriteItemCommand({ RequestItems: { [context.tableName]: pending } }),
    );
    pending = result.UnprocessedItems?.[context.tableName] ?? [];
  }
}
