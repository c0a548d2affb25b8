import type { BatchEvent } from './batch-events.js';

/**
 * The (bucket, key, sequencer) deliveries already counted, in memory.
 * Nested maps rather than one set of joined strings: joining and hashing a
 * fresh string per event cost the accumulator about two thirds of its time,
 * and most keys are written once, so one sequencer per key is stored as is.
 *
 * @example
 * ```ts
 * const seen = new SeenDeliveries();
 * seen.checkAndAdd(event); // false: first delivery
 * seen.checkAndAdd(event); // true: a duplicate (when the event has a sequencer)
 * ```
 */
export class SeenDeliveries {
  private readonly buckets = new Map<string, Map<string, string | Set<string>>>();

  /**
   * Records the delivery; true when it was already recorded. An event without
   * a sequencer is never recorded and never a duplicate.
   */
  checkAndAdd(event: Pick<BatchEvent, 'bucket' | 'key' | 'sequencer'>): boolean {
    const { sequencer } = event;
    if (sequencer === undefined) return false;
    let keys = this.buckets.get(event.bucket);
    if (keys === undefined) {
      keys = new Map();
      this.buckets.set(event.bucket, keys);
    }
    const known = keys.get(event.key);
    if (known === undefined) {
      keys.set(event.key, sequencer);
      return false;
    }
    if (typeof known === 'string') {
      if (known === sequencer) return true;
      keys.set(event.key, new Set([known, sequencer]));
      return false;
    }
    if (known.has(sequencer)) return true;
    known.add(sequencer);
    return false;
  }
}
