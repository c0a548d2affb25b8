import { utf8Length } from '../jobs/task-input.js';
import {
  applyEvent,
  type BatchDeadline,
  batchDeadline,
  type ClosedBatch,
  type OpenBatch,
  type PrefixedEvent,
} from './batch-state.js';
import type { BatchThresholds } from './batch-thresholds.js';

/** An open batch as a durable store keeps it: `keys` are the members not yet in member records. */
export interface StoredOpenBatch extends OpenBatch {
  readonly batchId: string;
  /** Member records already written for this batch (each holds a run of keys). */
  readonly memberRecords: number;
  /** UTF-8 bytes of all its member keys, written to member records or not. */
  readonly keyBytes: number;
}

/** The durable state of one (automation, bucket, prefix): its open batch and recent fingerprints. */
export interface GroupState {
  /** Changes with every write; every write is conditioned on the revision it read. */
  readonly revision: number;
  /** Changes whenever fingerprints are written to dedupe records (see {@link GroupWritePlan.flush}). */
  readonly epoch: number;
  readonly open: StoredOpenBatch | undefined;
  /** Fingerprints of applied events that are not yet in dedupe records. */
  readonly pending: readonly string[];
}

/** A new event with the fingerprint of its delivery identity; none when it has no sequencer. */
export interface FingerprintedEvent extends PrefixedEvent {
  readonly fingerprint?: string | undefined;
}

/** What one write may hold, as the store's records allow. */
export interface GroupWriteLimits {
  /** Bytes of inline keys and pending fingerprints the state may hold while it stays one write unit. */
  readonly inlineBytes: number;
  /** Most key bytes in one member record. */
  readonly memberRecordBytes: number;
  /** Most records one write creates besides the state (a transaction holds 100 items). */
  readonly maxRecords: number;
  /** Most key bytes one write carries (a transaction carries 4 MB). */
  readonly maxKeyBytes: number;
  /** The dedupe record a fingerprint is written to (its event-time window), to count records. */
  readonly dedupeRecordOf: (fingerprint: string) => string;
}

/** A run of member keys written as one record of its batch, `index` counting from 0. */
export interface MemberChunk {
  readonly batchId: string;
  readonly index: number;
  readonly keys: readonly string[];
}

/** A batch this write closes. */
export interface PlannedClose {
  readonly batchId: string;
  /** `keys` are the members not in member records before this write. */
  readonly batch: ClosedBatch;
  /** The last run of keys, stored in the closed record itself. */
  readonly tailKeys: readonly string[];
  /** Member records of the batch, those written before and those in this write. */
  readonly memberRecords: number;
  readonly keyBytes: number;
}

/** One conditional write of a group, planned from the state it read. */
export interface GroupWritePlan {
  /** Events of the input this write applies; the caller plans the rest on `next` once it is written. */
  readonly consumed: number;
  readonly next: GroupState;
  readonly closed: readonly PlannedClose[];
  /** Member records created by the write: runs of keys of closed batches and of the open one. */
  readonly memberChunks: readonly MemberChunk[];
  /**
   * Stored pending fingerprints the state drops. They belong to events the
   * stored state already counts, so they may be written to dedupe records
   * before the state write, outside it: a record written by a write that
   * then loses its condition only repeats what the state still holds.
   */
  readonly flush: readonly string[];
  /** Fingerprints of this write's events that do not fit the state: written with it, in its transaction. */
  readonly direct: readonly string[];
  /** Whether the write creates records besides the state, so it must be one transaction. */
  readonly transactional: boolean;
}

/**
 * Plans the next write of a group: applies new events (duplicates already
 * dropped, event-time order) to the stored state with the core's
 * {@link applyEvent}, and decides where everything goes so that the state
 * record stays within `limits.inlineBytes` (one write unit):
 * - the keys of the open batch and the fingerprints of counted events stay
 *   in the state while they fit; a fingerprint in the state is what makes
 *   counting an event and recording it one conditional write;
 * - when they do not fit, stored fingerprints move to dedupe records
 *   (`flush`), then the open batch's keys to a member record, then the new
 *   fingerprints to dedupe records written in the same transaction (`direct`);
 * - a closed batch takes its unwritten keys into its closed record (runs
 *   beyond `memberRecordBytes` into member records).
 * At most as many events as fit one write are consumed; at least one.
 *
 * @example
 * ```ts
 * const plan = planGroupWrite(state, fresh, policy, limits, () => newId());
 * await write(plan); // conditioned on state.revision; then plan the remaining events on plan.next
 * ```
 */
export function planGroupWrite(
  state: GroupState,
  events: readonly FingerprintedEvent[],
  thresholds: BatchThresholds,
  limits: GroupWriteLimits,
  newId: () => string,
): GroupWritePlan {
  let current = state.open;
  const closed: PlannedClose[] = [];
  const fresh: string[] = [];
  let consumed = 0;
  let carried = current === undefined ? 0 : bytesOfKeys(current.keys);
  const close = (batch: ClosedBatch, batchId: string, memberRecords: number, keyBytes: number) => {
    closed.push({ batchId, batch, tailKeys: [], memberRecords, keyBytes });
  };
  for (const event of events) {
    const keyCost = event.marker === 'control' ? 0 : keyBytesOf(event.key);
    if (consumed > 0) {
      const records = estimateRecords(closed, current, fresh, limits);
      if (records + 3 > limits.maxRecords || carried + keyCost > limits.maxKeyBytes) break;
    }
    const before = current;
    const overdue = before !== undefined && batchDeadline(before, thresholds).at <= event.time;
    const step = applyEvent(before, event, thresholds);
    let index = 0;
    let batchId = before?.batchId;
    let memberRecords = before?.memberRecords ?? 0;
    let keyBytes = before?.keyBytes ?? 0;
    const overdueBatch = step.closed[0];
    if (before !== undefined && overdue && overdueBatch !== undefined) {
      close(overdueBatch, before.batchId, before.memberRecords, before.keyBytes);
      index = 1;
      batchId = undefined;
      memberRecords = 0;
      keyBytes = 0;
    }
    keyBytes += keyCost === 0 ? 0 : utf8Length(event.key);
    const closedByEvent = step.closed[index];
    if (closedByEvent !== undefined) {
      close(closedByEvent, batchId ?? newId(), memberRecords, keyBytes);
      current = undefined;
    } else if (step.state !== undefined) {
      current = { ...step.state, batchId: batchId ?? newId(), memberRecords, keyBytes };
    } else {
      current = undefined;
    }
    if (event.fingerprint !== undefined) fresh.push(event.fingerprint);
    carried += keyCost;
    consumed++;
  }
  return placeRecords(state, current, closed, fresh, limits, consumed);
}

/**
 * Plans the close of a group's open batch at its deadline (the sweep's
 * close): the batch takes its unwritten keys into its closed record, the
 * state keeps its pending fingerprints and no open batch.
 *
 * @example
 * ```ts
 * const plan = planDeadlineClose(state, { at: dueAt, reason: 'quiet' }, limits);
 * ```
 */
export function planDeadlineClose(
  state: GroupState,
  deadline: BatchDeadline,
  limits: GroupWriteLimits,
): GroupWritePlan | undefined {
  const open = state.open;
  if (open === undefined) return undefined;
  const batch: ClosedBatch = { ...open, reason: deadline.reason, closedAt: deadline.at };
  const planned: PlannedClose = {
    batchId: open.batchId,
    batch,
    tailKeys: [],
    memberRecords: open.memberRecords,
    keyBytes: open.keyBytes,
  };
  return placeRecords(state, undefined, [planned], [], limits, 0);
}

function placeRecords(
  state: GroupState,
  open: StoredOpenBatch | undefined,
  closes: readonly PlannedClose[],
  fresh: readonly string[],
  limits: GroupWriteLimits,
  consumed: number,
): GroupWritePlan {
  const memberChunks: MemberChunk[] = [];
  const closed = closes.map((planned) => {
    const runs = chunkKeys(planned.batch.keys, limits.memberRecordBytes);
    const tailKeys = runs.pop() ?? [];
    runs.forEach((keys, offset) => {
      memberChunks.push({ batchId: planned.batchId, index: planned.memberRecords + offset, keys });
    });
    return { ...planned, tailKeys, memberRecords: planned.memberRecords + runs.length };
  });
  let next = open;
  let pending: readonly string[] = [...state.pending, ...fresh];
  let flush: readonly string[] = [];
  let direct: readonly string[] = [];
  const openBytes = () => (next === undefined ? 0 : bytesOfKeys(next.keys));
  if (openBytes() + bytesOfTokens(pending) > limits.inlineBytes) {
    flush = state.pending;
    pending = fresh;
    if (next !== undefined && openBytes() + bytesOfTokens(pending) > limits.inlineBytes) {
      const runs = chunkKeys(next.keys, limits.memberRecordBytes);
      runs.forEach((keys, offset) => {
        memberChunks.push({
          batchId: next?.batchId ?? '',
          index: (next?.memberRecords ?? 0) + offset,
          keys,
        });
      });
      next = { ...next, keys: [], memberRecords: next.memberRecords + runs.length };
    }
    if (openBytes() + bytesOfTokens(pending) > limits.inlineBytes) {
      direct = fresh;
      pending = [];
    }
  }
  const epoch = state.epoch + (flush.length > 0 || direct.length > 0 ? 1 : 0);
  return {
    consumed,
    next: { revision: state.revision + 1, epoch, open: next, pending },
    closed,
    memberChunks,
    flush,
    direct,
    transactional: closed.length > 0 || memberChunks.length > 0 || direct.length > 0,
  };
}

function estimateRecords(
  closed: readonly PlannedClose[],
  open: StoredOpenBatch | undefined,
  fresh: readonly string[],
  limits: GroupWriteLimits,
): number {
  let records = 0;
  for (const planned of closed) {
    records += Math.ceil(bytesOfKeys(planned.batch.keys) / limits.memberRecordBytes) || 1;
  }
  if (open !== undefined) records += Math.ceil(bytesOfKeys(open.keys) / limits.memberRecordBytes);
  records += new Set(fresh.map(limits.dedupeRecordOf)).size;
  return records;
}

/** What a key costs in a stored list: its UTF-8 bytes plus one. */
export function keyBytesOf(key: string): number {
  return utf8Length(key) + 1;
}

/** What stored keys cost (see {@link keyBytesOf}). */
export function bytesOfKeys(keys: readonly string[]): number {
  let bytes = 0;
  for (const key of keys) bytes += keyBytesOf(key);
  return bytes;
}

function bytesOfTokens(tokens: readonly string[]): number {
  let bytes = 0;
  for (const token of tokens) bytes += utf8Length(token);
  return bytes;
}

/**
 * Splits keys into runs of at most `maxBytes` (by {@link keyBytesOf}), in
 * order; a key larger than `maxBytes` gets a run of its own.
 *
 * @example
 * ```ts
 * chunkKeys(['a/1', 'a/2', 'a/3'], 8); // [['a/1', 'a/2'], ['a/3']]
 * ```
 */
export function chunkKeys(keys: readonly string[], maxBytes: number): string[][] {
  const runs: string[][] = [];
  let run: string[] = [];
  let bytes = 0;
  for (const key of keys) {
    const size = keyBytesOf(key);
    if (run.length > 0 && bytes + size > maxBytes) {
      runs.push(run);
      run = [];
      bytes = 0;
    }
    run.push(key);
    bytes += size;
  }
  if (run.length > 0) runs.push(run);
  return runs;
}
