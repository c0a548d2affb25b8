import { batchPrefix } from './batch-prefix.js';
import type { PrefixedEvent } from './batch-state.js';
import type { BatchPolicy } from './batch-thresholds.js';
import { InvalidBatchEventError } from './errors.js';
import { isIgnored } from './ignore-patterns.js';
import { SeenDeliveries } from './seen-deliveries.js';

/** An object event as batching sees it. */
export interface BatchEvent {
  readonly bucket: string;
  readonly key: string;
  readonly type: 'created' | 'deleted';
  /** Event time, epoch milliseconds. */
  readonly time: number;
  /** S3's per-key event sequencer; events without one are never treated as duplicates. */
  readonly sequencer?: string | undefined;
}

/**
 * What became of an event. Each event gets exactly one outcome; `marker` is
 * a marker object that is not a member (it closed its prefix's batch).
 */
export type EventOutcome = 'counted' | 'duplicate' | 'deleted' | 'ignored' | 'marker';

/** A counted event with its prefix, keeping the sequencer for a durable duplicate check. */
export interface CountedEvent extends PrefixedEvent {
  readonly sequencer?: string | undefined;
}

/** Events per outcome; `read` is their sum. */
export interface BatchStats {
  read: number;
  counted: number;
  duplicates: number;
  deleted: number;
  ignored: number;
  markers: number;
}

/**
 * Zeroed {@link BatchStats}.
 *
 * @example
 * ```ts
 * const stats = emptyBatchStats(); // { read: 0, counted: 0, ... }
 * ```
 */
export function emptyBatchStats(): BatchStats {
  return { read: 0, counted: 0, duplicates: 0, deleted: 0, ignored: 0, markers: 0 };
}

/** An event that takes part in batching: a member, or a marker that is not one. */
export interface PlacedEvent {
  readonly outcome: 'counted' | 'marker';
  readonly prefix: string;
  /** Set when the key matches the policy's marker (see `PrefixedEvent.marker`). */
  readonly marker?: 'member' | 'control' | undefined;
}

/**
 * Classifies an event without duplicate detection, which needs state:
 * `deleted` (only created objects count), then `ignored` (an ignore pattern
 * matches the key or a folder of it), else a candidate with its prefix:
 * `counted`, or `marker` for a marker object that is not a member. Duplicates
 * are checked last so that a durable check costs nothing for events that
 * would not count anyway.
 *
 * @example
 * ```ts
 * classifyEvent(event, policy); // { outcome: 'ignored' } or { outcome: 'counted', prefix: 'a/b/' } ...
 * ```
 */
export function classifyEvent(
  event: BatchEvent,
  policy: BatchPolicy,
): { outcome: 'deleted' | 'ignored' } | PlacedEvent {
  if (!Number.isFinite(event.time)) {
    throw new InvalidBatchEventError(
      'time',
      `must be a finite number of epoch milliseconds, got ${String(event.time)}`,
      `parse the event time first, e.g. Date.parse('2024-05-01T12:00:00Z')`,
    );
  }
  if (event.type !== 'created') return { outcome: 'deleted' };
  if (isIgnored(event.key, policy.ignoreGlobs)) return { outcome: 'ignored' };
  const prefix = batchPrefix(event.key, policy.prefixDepth);
  if (policy.markerMatcher?.test(event.key)) {
    return policy.markerIsMember
      ? { outcome: 'counted', prefix, marker: 'member' }
      : { outcome: 'marker', prefix, marker: 'control' };
  }
  return { outcome: 'counted', prefix };
}

/**
 * The identity of a delivery as one string, for a durable duplicate check:
 * (bucket, key, sequencer), or `undefined` when the event has no sequencer
 * and so can never be a duplicate. Lengths make the string unambiguous
 * whatever characters the key holds.
 *
 * @example
 * ```ts
 * dedupeKey({ bucket: 'b', key: 'a/1', type: 'created', time: 0, sequencer: '0A1' }); // '1:b3:a/10A1'
 * ```
 */
export function dedupeKey(event: BatchEvent): string | undefined {
  if (event.sequencer === undefined) return undefined;
  return `${event.bucket.length}:${event.bucket}${event.key.length}:${event.key}${event.sequencer}`;
}

/**
 * Sorts events by time, keeping input order among events of the same time.
 *
 * @example
 * ```ts
 * const ordered = sortByEventTime(events);
 * ```
 */
export function sortByEventTime<E extends { readonly time: number }>(events: readonly E[]): E[] {
  // Array.prototype.sort is stable (ES2019), which is what keeps input order on ties.
  return [...events].sort((a, b) => a.time - b.time);
}

/** The counted events of one (bucket, prefix), in event-time order. */
export interface PrefixGroup {
  readonly bucket: string;
  readonly prefix: string;
  readonly events: CountedEvent[];
}

/**
 * Classifies a list of events (an SQS batch, say), drops deleted, ignored and
 * duplicate ones, and groups the rest (members and markers) by (bucket,
 * prefix) in event-time order, so that a caller can apply each group with
 * one read and one write.
 * `seen` holds the deliveries already counted; it is extended in place, so
 * pass the same one across calls to dedupe across them.
 *
 * @example
 * ```ts
 * const { groups, stats } = groupEventsByPrefix(events, policy);
 * for (const group of groups) applyEvents(await load(group), group.events, policy);
 * ```
 */
export function groupEventsByPrefix(
  events: readonly BatchEvent[],
  policy: BatchPolicy,
  seen: SeenDeliveries = new SeenDeliveries(),
): { groups: PrefixGroup[]; stats: BatchStats } {
  const stats = emptyBatchStats();
  const groups = new Map<string, PrefixGroup>();
  for (const event of sortByEventTime(events)) {
    stats.read++;
    const placed = classifyEvent(event, policy);
    if (!('prefix' in placed)) {
      stats[placed.outcome]++;
    } else if (seen.checkAndAdd(event)) {
      stats.duplicates++;
    } else {
      stats[placed.outcome === 'counted' ? 'counted' : 'markers']++;
      const id = groupId(event.bucket, placed.prefix);
      let group = groups.get(id);
      if (group === undefined) {
        group = { bucket: event.bucket, prefix: placed.prefix, events: [] };
        groups.set(id, group);
      }
      group.events.push({
        bucket: event.bucket,
        prefix: placed.prefix,
        key: event.key,
        time: event.time,
        sequencer: event.sequencer,
        ...(placed.marker ? { marker: placed.marker } : {}),
      });
    }
  }
  return { groups: [...groups.values()], stats };
}

/**
 * A map key for a (bucket, prefix) that no two distinct pairs share.
 *
 * @example
 * ```ts
 * groupId('b', 'a/'); // '1:ba/'
 * ```
 */
export function groupId(bucket: string, prefix: string): string {
  return `${bucket.length}:${bucket}${prefix}`;
}
