import type { BatchThresholds } from './batch-thresholds.js';
import { BatchMismatchError } from './errors.js';

/** Every reason a batch closes for: a bounded set, so the `closeReason` metric dimension is too. */
export const CLOSE_REASONS = ['count', 'quiet', 'max-age', 'marker'] as const;

/**
 * Why a batch closed: its count was reached, its prefix went quiet, it
 * reached its maximum age, or a marker object (`_SUCCESS`, a manifest)
 * arrived.
 */
export type CloseReason = (typeof CLOSE_REASONS)[number];

/** The events of one (bucket, prefix) since its last batch closed. Times are epoch milliseconds. */
export interface OpenBatch {
  readonly bucket: string;
  readonly prefix: string;
  readonly count: number;
  readonly firstEventAt: number;
  readonly lastEventAt: number;
  /** One entry per counted event, in the order applied: an overwritten key appears once per write. */
  readonly keys: readonly string[];
}

/** A batch that is complete. `closedAt` >= `lastEventAt`; times are epoch milliseconds. */
export interface ClosedBatch extends OpenBatch {
  readonly reason: CloseReason;
  readonly closedAt: number;
}

/** A counted event, already placed in its (bucket, prefix). */
export interface PrefixedEvent {
  readonly bucket: string;
  readonly prefix: string;
  readonly key: string;
  /** Epoch milliseconds. */
  readonly time: number;
  /**
   * The key matches the policy's marker: `member` closes the batch with this
   * event in it, `control` closes it without the event (which opens nothing).
   */
  readonly marker?: 'member' | 'control' | undefined;
}

/** The moment an open batch closes unless its count is reached first. */
export interface BatchDeadline {
  /** Epoch milliseconds. */
  readonly at: number;
  readonly reason: 'quiet' | 'max-age';
}

/**
 * When an open batch closes by time: `lastEventAt + quietSeconds`, or
 * `firstEventAt + maxAgeSeconds` when that comes first. On a tie the reason
 * is `quiet`: nothing arrived for the whole quiet period, so the batch looks
 * complete, whereas `max-age` tells consumers that more may follow.
 *
 * @example
 * ```ts
 * batchDeadline(batch, { count: 20, quietSeconds: 300 }); // { at: batch.lastEventAt + 300_000, reason: 'quiet' }
 * ```
 */
export function batchDeadline(batch: OpenBatch, thresholds: BatchThresholds): BatchDeadline {
  const quietAt = batch.lastEventAt + thresholds.quietSeconds * 1000;
  if (thresholds.maxAgeSeconds !== undefined) {
    const ageAt = batch.firstEventAt + thresholds.maxAgeSeconds * 1000;
    if (ageAt < quietAt) return { at: ageAt, reason: 'max-age' };
  }
  return { at: quietAt, reason: 'quiet' };
}

/** The result of a state transition: the open batch left (if any) and the batches it closed, oldest first. */
export interface BatchTransition {
  readonly state: OpenBatch | undefined;
  readonly closed: ClosedBatch[];
}

/**
 * Applies one counted event to the open batch of its (bucket, prefix). A
 * batch whose deadline is at or before the event's time is closed first (at
 * its deadline), so the event opens a new batch; a batch that reaches
 * `count` closes at that event with reason `count`; a marker event closes
 * the batch at its time with reason `marker`, with the marker as its last
 * member (`member`) or without it (`control`, which opens no batch of its
 * own). Pure: `state` is not modified. An event older than the batch's last
 * one (late delivery) joins it and widens `firstEventAt`/`lastEventAt` as needed.
 *
 * @example
 * ```ts
 * let state: OpenBatch | undefined;
 * const { state: next, closed } = applyEvent(state, { bucket: 'b', prefix: 'a/', key: 'a/1', time: 0 }, thresholds);
 * ```
 */
export function applyEvent(
  state: OpenBatch | undefined,
  event: PrefixedEvent,
  thresholds: BatchThresholds,
): BatchTransition {
  const closed: ClosedBatch[] = [];
  let open = state;
  if (open !== undefined) {
    if (open.bucket !== event.bucket || open.prefix !== event.prefix) {
      throw new BatchMismatchError(
        `${open.bucket}/${open.prefix}`,
        `${event.bucket}/${event.prefix}`,
      );
    }
    const deadline = batchDeadline(open, thresholds);
    if (deadline.at <= event.time) {
      closed.push({ ...open, reason: deadline.reason, closedAt: deadline.at });
      open = undefined;
    }
  }
  if (event.marker === 'control') {
    if (open !== undefined) {
      closed.push({ ...open, reason: 'marker', closedAt: Math.max(open.lastEventAt, event.time) });
    }
    return { state: undefined, closed };
  }
  const next: OpenBatch =
    open === undefined
      ? {
          bucket: event.bucket,
          prefix: event.prefix,
          count: 1,
          firstEventAt: event.time,
          lastEventAt: event.time,
          keys: [event.key],
        }
      : {
          bucket: open.bucket,
          prefix: open.prefix,
          count: open.count + 1,
          firstEventAt: Math.min(open.firstEventAt, event.time),
          lastEventAt: Math.max(open.lastEventAt, event.time),
          keys: [...open.keys, event.key],
        };
  if (event.marker === 'member') {
    closed.push({ ...next, reason: 'marker', closedAt: next.lastEventAt });
    return { state: undefined, closed };
  }
  if (next.count >= thresholds.count) {
    closed.push({ ...next, reason: 'count', closedAt: next.lastEventAt });
    return { state: undefined, closed };
  }
  return { state: next, closed };
}

/**
 * Applies events of one (bucket, prefix), in the order given (event-time
 * order), and collects every batch they close. This is what the ingest does
 * with the events of one prefix in one SQS batch.
 *
 * @example
 * ```ts
 * const { state, closed } = applyEvents(stored, group.events, policy);
 * ```
 */
export function applyEvents(
  state: OpenBatch | undefined,
  events: Iterable<PrefixedEvent>,
  thresholds: BatchThresholds,
): BatchTransition {
  const closed: ClosedBatch[] = [];
  let open = state;
  for (const event of events) {
    const step = applyEvent(open, event, thresholds);
    open = step.state;
    closed.push(...step.closed);
  }
  return { state: open, closed };
}

/**
 * Closes every batch whose deadline is at or before `now` (epoch ms), at its
 * deadline rather than at `now`: a sweep that runs late reports when the
 * batch really closed. This is what the sweep does on its schedule.
 *
 * @example
 * ```ts
 * const { open, closed } = closeDue(openBatches, Date.parse('2024-05-01T12:00:00Z'), thresholds);
 * ```
 */
export function closeDue(
  states: Iterable<OpenBatch>,
  now: number,
  thresholds: BatchThresholds,
): { open: OpenBatch[]; closed: ClosedBatch[] } {
  const open: OpenBatch[] = [];
  const closed: ClosedBatch[] = [];
  for (const state of states) {
    const deadline = batchDeadline(state, thresholds);
    if (deadline.at <= now)
      closed.push({ ...state, reason: deadline.reason, closedAt: deadline.at });
    else open.push(state);
  }
  return { open, closed };
}

/**
 * Orders closed batches by `closedAt`, then bucket, then prefix (code-unit
 * order, not locale), the order the CLI prints and tests compare.
 *
 * @example
 * ```ts
 * closed.sort(compareClosedBatches);
 * ```
 */
export function compareClosedBatches(a: ClosedBatch, b: ClosedBatch): number {
  if (a.closedAt !== b.closedAt) return a.closedAt - b.closedAt;
  if (a.bucket !== b.bucket) return a.bucket < b.bucket ? -1 : 1;
  if (a.prefix !== b.prefix) return a.prefix < b.prefix ? -1 : 1;
  return 0;
}
