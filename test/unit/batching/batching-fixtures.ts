import type { BatchEvent } from '../../../lambdas/core/batching/batch-events.js';
import type { PrefixedEvent } from '../../../lambdas/core/batching/batch-state.js';

/** Epoch milliseconds of `seconds` after a fixed origin; tests speak in seconds. */
export function at(seconds: number): number {
  return Date.UTC(2024, 4, 1, 12) + seconds * 1000;
}

/** A created event at `seconds`, in bucket `b` unless overridden. */
export function created(key: string, seconds: number, extra: Partial<BatchEvent> = {}): BatchEvent {
  return { bucket: 'b', key, type: 'created', time: at(seconds), ...extra };
}

/** A counted event of prefix `a/` in bucket `b` at `seconds`. */
export function placed(key: string, seconds: number): PrefixedEvent {
  return { bucket: 'b', prefix: 'a/', key, time: at(seconds) };
}
