import { createHash } from 'node:crypto';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  type CountedEvent,
  dedupeKey as deliveryIdentity,
} from '../../core/batching/batch-events.js';
import {
  type BatchTableContext,
  dedupeKey,
  type Item,
  isExpired,
  n,
  s,
} from './batch-store-items.js';

/** Fingerprints per UpdateItem: keeps the update expression under DynamoDB's 4 KB limit. */
const CLAIMS_PER_REQUEST = 100;

export interface DedupeOptions {
  /** Width of the event-time windows fingerprints are grouped in. */
  readonly windowMs: number;
  /** How long a fingerprint is kept after the last write to its window, in processing time. */
  readonly retentionMs: number;
}

/** A counted event with the delivery that carried it. */
export interface OwnedEvent {
  readonly event: CountedEvent;
  /** Short hash of the delivery id; a claim held by the same owner is a retry, not a duplicate. */
  readonly owner: string;
}

/**
 * Claims the (bucket, key, sequencer) of each event for its owner and
 * returns the events that count: unclaimed before, or claimed by the same
 * delivery (an SQS retry of a failed invocation). One UpdateItem per
 * (group, event-time window) per 100 events: `SET f = if_not_exists(f, owner)`
 * for each fingerprint, with `ReturnValues: UPDATED_OLD`, which returns the
 * owners that were already there. Updates of one item are serialised, so of
 * two concurrent deliveries exactly one finds its fingerprint unclaimed.
 * A duplicate carries the same event time, so it meets its original in the
 * same window. Events without a sequencer are never duplicates.
 */
export async function claimDeliveries(
  context: BatchTableContext,
  options: DedupeOptions,
  hash: string,
  events: readonly OwnedEvent[],
  now: number,
): Promise<CountedEvent[]> {
  const windows = new Map<number, { fingerprint: string; owned: OwnedEvent }[]>();
  const counted = new Set<OwnedEvent>();
  for (const owned of events) {
    const identity = identityOf(owned.event);
    if (identity === undefined) {
      counted.add(owned);
      continue;
    }
    const windowStart = Math.floor(owned.event.time / options.windowMs) * options.windowMs;
    let claims = windows.get(windowStart);
    if (claims === undefined) {
      claims = [];
      windows.set(windowStart, claims);
    }
    claims.push({ fingerprint: fingerprint(identity), owned });
  }
  // Expiry counts from `now`, the time it is read against, never from the event time: an
  // event redriven from a DLQ days late must not write a window that is already expired.
  const expiresAt = Math.ceil((now + options.retentionMs) / 1000);
  const requests: Promise<void>[] = [];
  for (const [windowStart, claims] of windows) {
    for (let start = 0; start < claims.length; start += CLAIMS_PER_REQUEST) {
      const chunk = claims.slice(start, start + CLAIMS_PER_REQUEST);
      requests.push(
        claimChunk(context, hash, windowStart, expiresAt, chunk, now).then((fresh) => {
          for (const owned of fresh) counted.add(owned);
        }),
      );
    }
  }
  await Promise.all(requests);
  return events.filter((owned) => counted.has(owned)).map((owned) => owned.event);
}

async function claimChunk(
  context: BatchTableContext,
  hash: string,
  windowStart: number,
  expiresAt: number,
  claims: readonly { fingerprint: string; owned: OwnedEvent }[],
  now: number,
): Promise<OwnedEvent[]> {
  const names: Record<string, string> = { '#x': 'expiresAt' };
  const values: Item = { ':x': n(expiresAt) };
  const sets = ['#x = :x'];
  // Two claims of one fingerprint would make the expression invalid (overlapping paths). The
  // caller already dropped repeated deliveries, so a repeat here is a 72-bit hash collision,
  // counted once like a duplicate.
  const unique = new Map<string, { fingerprint: string; owned: OwnedEvent }>();
  for (const claim of claims)
    if (!unique.has(claim.fingerprint)) unique.set(claim.fingerprint, claim);
  let index = 0;
  for (const claim of unique.values()) {
    const tag = `k${index.toString(36)}`;
    names[`#${tag}`] = claim.fingerprint;
    values[`:${tag}`] = s(claim.owned.owner);
    sets.push(`#${tag} = if_not_exists(#${tag}, :${tag})`);
    index++;
  }
  const result = await context.client.send(
    new UpdateItemCommand({
      TableName: context.tableName,
      Key: dedupeKey(hash, windowStart),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValues: 'UPDATED_OLD',
    }),
  );
  const old = result.Attributes ?? {};
  // An expired window (DynamoDB Local keeps it forever) holds no claims.
  const stale = isExpired(old, now);
  const fresh: OwnedEvent[] = [];
  for (const claim of unique.values()) {
    const holder = stale ? undefined : old[claim.fingerprint]?.S;
    if (holder === undefined || holder === claim.owned.owner) fresh.push(claim.owned);
  }
  return fresh;
}

/** The core's (bucket, key, sequencer) identity of a delivery; undefined without a sequencer. */
export function identityOf(
  event: Pick<CountedEvent, 'bucket' | 'key' | 'sequencer'>,
): string | undefined {
  return deliveryIdentity({ ...event, type: 'created', time: 0 });
}

/** 72 bits of SHA-256 of the delivery identity, as an attribute name that cannot clash with `pk`/`sk`/`expiresAt`. */
function fingerprint(identity: string): string {
  return `f${createHash('sha256').update(identity).digest('base64url').slice(0, 12)}`;
}

/**
 * A short owner tag for a delivery id (48 bits): small in the item, and two
 * distinct deliveries share one with negligible probability.
 */
export function ownerTag(deliveryId: string): string {
  return createHash('sha256').update(deliveryId).digest('base64url').slice(0, 8);
}
