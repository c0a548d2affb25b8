import {
  type BatchEvent,
  type BatchStats,
  classifyEvent,
  type EventOutcome,
  emptyBatchStats,
  groupId,
} from './batch-events.js';
import {
  applyEvent,
  batchDeadline,
  type ClosedBatch,
  closeDue,
  type OpenBatch,
} from './batch-state.js';
import type { BatchPolicy } from './batch-thresholds.js';
import { SeenDeliveries } from './seen-deliveries.js';

/** What {@link BatchAccumulator.add} did with an event. */
export interface AddResult {
  readonly outcome: EventOutcome;
  /** Batches closed by this event: an overdue batch of its prefix, and/or its batch reaching `count` or its marker. */
  readonly closed: ClosedBatch[];
}

/**
 * In-memory batching for one policy: the open batch of every (bucket,
 * prefix) and the deliveries already counted. Built on the pure transitions
 * of `batch-state.ts`, which the durable ingest reuses. Feed events in
 * event-time order; an event only closes an overdue batch of its own prefix,
 * so call {@link closeDue} as time passes (or {@link flush} at the end).
 *
 * @example
 * ```ts
 * const accumulator = new BatchAccumulator(createBatchPolicy({ count: 20 }));
 * for (const event of events) emit(accumulator.add(event).closed);
 * emit(accumulator.flush());
 * ```
 */
export class BatchAccumulator {
  readonly policy: BatchPolicy;
  private readonly open = new Map<string, OpenBatch>();
  private readonly seen = new SeenDeliveries();
  private readonly counts: BatchStats = emptyBatchStats();

  constructor(policy: BatchPolicy) {
    this.policy = policy;
  }

  /** Events per outcome so far (a copy). */
  get stats(): BatchStats {
    return { ...this.counts };
  }

  /** The batches still open, in the order they were opened. */
  openBatches(): OpenBatch[] {
    return [...this.open.values()];
  }

  /** Classifies an event and, when it counts, applies it to its prefix's open batch. */
  add(event: BatchEvent): AddResult {
    this.counts.read++;
    const placed = classifyEvent(event, this.policy);
    if (!('prefix' in placed)) {
      this.counts[placed.outcome]++;
      return { outcome: placed.outcome, closed: [] };
    }
    if (this.seen.checkAndAdd(event)) {
      this.counts.duplicates++;
      return { outcome: 'duplicate', closed: [] };
    }
    this.counts[placed.outcome === 'counted' ? 'counted' : 'markers']++;
    const id = groupId(event.bucket, placed.prefix);
    const { state, closed } = applyEvent(
      this.open.get(id),
      {
        bucket: event.bucket,
        prefix: placed.prefix,
        key: event.key,
        time: event.time,
        marker: placed.marker,
      },
      this.policy,
    );
    if (state === undefined) this.open.delete(id);
    else this.open.set(id, state);
    return { outcome: placed.outcome, closed };
  }

  /** Closes every open batch whose deadline is at or before `now` (epoch ms), at its deadline. */
  closeDue(now: number): ClosedBatch[] {
    const { closed } = closeDue(this.open.values(), now, this.policy);
    for (const batch of closed) this.open.delete(groupId(batch.bucket, batch.prefix));
    return closed;
  }

  /** Closes every open batch at its deadline, as if time ran on with no further events. */
  flush(): ClosedBatch[] {
    const closed: ClosedBatch[] = [];
    for (const batch of this.open.values()) {
      const deadline = batchDeadline(batch, this.policy);
      closed.push({ ...batch, reason: deadline.reason, closedAt: deadline.at });
    }
    this.open.clear();
    return closed;
  }
}
