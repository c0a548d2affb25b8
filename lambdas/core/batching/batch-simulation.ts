import { BatchAccumulator } from './batch-accumulator.js';
import { type BatchEvent, type BatchStats, sortByEventTime } from './batch-events.js';
import { type ClosedBatch, compareClosedBatches } from './batch-state.js';
import type { BatchPolicy } from './batch-thresholds.js';

/** Every batch a list of events produces, and what became of the events. */
export interface BatchSimulation {
  /** Ordered by `closedAt`, then bucket, then prefix. */
  readonly closed: ClosedBatch[];
  readonly stats: BatchStats;
}

/**
 * Replays events in event-time order (input order on ties) through a
 * {@link BatchAccumulator}, then closes the batches still open at their
 * deadlines, as if no event followed. Backs `bucketflow batch simulate`.
 *
 * @example
 * ```ts
 * const { closed, stats } = simulateBatches(events, createBatchPolicy({ count: 20, quietSeconds: 300 }));
 * ```
 */
export function simulateBatches(
  events: readonly BatchEvent[],
  policy: BatchPolicy,
): BatchSimulation {
  const accumulator = new BatchAccumulator(policy);
  const closed: ClosedBatch[] = [];
  for (const event of sortByEventTime(events)) closed.push(...accumulator.add(event).closed);
  closed.push(...accumulator.flush());
  return { closed: closed.sort(compareClosedBatches), stats: accumulator.stats };
}
