import type { PrefixedEvent } from './batch-state.js';
import type { BatchThresholds } from './batch-thresholds.js';

/**
 * What a durable store needs to append a group of events to the open batch
 * of their prefix with one conditional write, without reading it first. The
 * write is correct exactly when the stored batch (if any) satisfies
 * {@link AppendPlan.requires}; the events alone already satisfy the rest.
 */
export interface AppendPlan {
  /** Events appended. */
  readonly count: number;
  /** Time of the earliest event, epoch ms. */
  readonly firstEventAt: number;
  /** Time of the latest event, epoch ms. */
  readonly lastEventAt: number;
  /** The batch's deadline after the append: `lastEventAt + quietSeconds`, reason `quiet`. */
  readonly dueAt: number;
  /** `firstEventAt + maxAgeSeconds` for a batch these events open; undefined without a maximum age. */
  readonly ageAtIfNew: number | undefined;
  /** Conditions on the stored open batch under which appending closes nothing. */
  readonly requires: {
    /** Its deadline is after the first event: it is not overdue when the first event arrives. */
    readonly dueAfter: number;
    /** Its last event is not later than ours, so ours becomes its last. */
    readonly lastEventAtMost: number;
    /** Its first event is not later than ours, so its first stays first. */
    readonly firstEventAtMost: number;
    /** Its count is at most this, so the append stays below the count threshold. */
    readonly countAtMost: number;
    /** Its max-age deadline is at or after {@link AppendPlan.dueAt}; undefined without a maximum age. */
    readonly ageAtLeast: number | undefined;
  };
}

/**
 * Plans a blind append of one prefix's events (in event-time order) to its
 * open batch, or returns undefined when the events alone would close a batch
 * whatever is stored: they reach the count threshold, two consecutive events
 * are a quiet period apart, or a batch they open would reach its maximum age
 * before its quiet deadline. When the stored batch meets `requires` (or there
 * is none), {@link applyEvents} would close nothing and leave: count + n,
 * first unchanged (or `firstEventAt` for a new batch), last `lastEventAt`,
 * deadline `dueAt` with reason `quiet`. A store that cannot check the
 * conditions in one write falls back to reading the batch and `applyEvents`.
 *
 * @example
 * ```ts
 * const plan = planAppend(group.events, policy);
 * if (plan) await conditionalAppend(plan); // else read, applyEvents, write
 * ```
 */
export function planAppend(
  events: readonly PrefixedEvent[],
  thresholds: BatchThresholds,
): AppendPlan | undefined {
  const first = events[0];
  const last = events.at(-1);
  if (first === undefined || last === undefined) return undefined;
  if (events.length >= thresholds.count) return undefined;
  const quietMs = thresholds.quietSeconds * 1000;
  for (let index = 1; index < events.length; index++) {
    const previous = events[index - 1];
    const current = events[index];
    if (previous === undefined || current === undefined) return undefined;
    // Out of order means the caller did not sort; the exact path copes with that.
    if (current.time < previous.time) return undefined;
    // applyEvent closes when the deadline is at or before the event's time.
    if (previous.time + quietMs <= current.time) return undefined;
  }
  const dueAt = last.time + quietMs;
  let ageAtIfNew: number | undefined;
  if (thresholds.maxAgeSeconds !== undefined) {
    ageAtIfNew = first.time + thresholds.maxAgeSeconds * 1000;
    // On a tie batchDeadline picks `quiet`, so equality keeps dueAt exact.
    if (ageAtIfNew < dueAt) return undefined;
  }
  return {
    count: events.length,
    firstEventAt: first.time,
    lastEventAt: last.time,
    dueAt,
    ageAtIfNew,
    requires: {
      dueAfter: first.time,
      lastEventAtMost: last.time,
      firstEventAtMost: first.time,
      countAtMost: thresholds.count - events.length - 1,
      ageAtLeast: thresholds.maxAgeSeconds === undefined ? undefined : dueAt,
    },
  };
}
