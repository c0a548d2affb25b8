import type { CountedEvent } from '../../../core/batching/batch-events.js';
import {
  type FingerprintedEvent,
  type GroupWriteLimits,
  planGroupWrite,
} from '../../../core/batching/batch-group-write.js';
import { batchDeadline } from '../../../core/batching/batch-state.js';
import type { BatchPolicy } from '../../../core/batching/batch-thresholds.js';
import type { BatchRecord } from '../../../core/ports/batch-store.js';
import { BatchContentionError } from '../../../core/ports/batch-store.js';
import { type DedupeOptions, fingerprintOf, readDedupeRecords, windowOf } from './dedupe.js';
import {
  type BatchGroup,
  type BatchTableContext,
  groupHash,
  inlineBudget,
  MEMBER_RECORD_BYTES,
  type StoredHeader,
} from './items.js';
import { readHeader, writeGroup } from './writes.js';

/** Conflicting writes tolerated before giving up on a group (the caller retries the deliveries). */
const MAX_CONFLICTS = 16;
/** Records one write creates besides the header: a transaction holds 100 items. */
const MAX_RECORDS_PER_WRITE = 96;
/** Key bytes one write carries: a transaction carries 4 MB. */
const MAX_KEY_BYTES_PER_WRITE = 3_000_000;

/** What applying one group's events did. */
export interface GroupOutcome {
  /** Events that were members and markers of a batch before (by any delivery), dropped. */
  readonly duplicateMembers: number;
  readonly duplicateMarkers: number;
  readonly closed: BatchRecord[];
}

export interface GroupSettings {
  readonly dedupe: DedupeOptions;
  readonly dispatchLeaseMs: number;
  /** Epoch seconds when member records written now may be dropped. */
  readonly memberExpiresAt: number;
}

/**
 * Applies one group's new events (event-time order, in-call repeats
 * removed): reads the header, then the dedupe records of the events'
 * windows, drops events already counted (fingerprint pending in the header
 * or in a dedupe record), plans the write in the core
 * ({@link planGroupWrite}) and writes it conditioned on the header's
 * revision. The header is read before the dedupe records, and every write
 * that moves fingerprints to dedupe records changes the header's epoch, so
 * a fingerprint is always found in one of the two. A lost race plans again
 * on the header the failure returned, re-reading dedupe records only when
 * its epoch moved.
 */
export async function applyGroup(
  context: BatchTableContext,
  group: BatchGroup,
  events: readonly CountedEvent[],
  policy: BatchPolicy,
  settings: GroupSettings,
  now: number,
): Promise<GroupOutcome> {
  const hash = groupHash(group);
  const limits: GroupWriteLimits = {
    inlineBytes: inlineBudget(context, group, hash),
    memberRecordBytes: MEMBER_RECORD_BYTES,
    maxRecords: MAX_RECORDS_PER_WRITE,
    maxKeyBytes: MAX_KEY_BYTES_PER_WRITE,
    dedupeRecordOf: windowOf,
  };
  let remaining: FingerprintedEvent[] = events.map((event) => ({
    ...event,
    fingerprint: fingerprintOf(event, settings.dedupe),
  }));
  let header: StoredHeader = await readHeader(context, hash, now);
  let seen: { epoch: number; fingerprints: Set<string> } | undefined;
  let duplicateMembers = 0;
  let duplicateMarkers = 0;
  const closed: BatchRecord[] = [];
  let conflicts = 0;
  while (remaining.length > 0) {
    const windows = new Set<string>();
    for (const event of remaining) if (event.fingerprint) windows.add(windowOf(event.fingerprint));
    // No header means no dedupe records: they expire before an idle header does.
    if (windows.size > 0 && !header.absent && seen?.epoch !== header.state.epoch) {
      const fingerprints = await readDedupeRecords(context, hash, windows, now);
      seen = { epoch: header.state.epoch, fingerprints };
    }
    const pending = new Set(header.state.pending);
    const fresh = remaining.filter((event) => {
      const known =
        event.fingerprint !== undefined &&
        (pending.has(event.fingerprint) || seen?.fingerprints.has(event.fingerprint) === true);
      if (known && event.marker === 'control') duplicateMarkers++;
      else if (known) duplicateMembers++;
      return !known;
    });
    if (fresh.length === 0) break;
    const plan = planGroupWrite(header.state, fresh, policy, limits, () => context.newId(now));
    const open = plan.next.open;
    const written = await writeGroup(context, group, hash, header, plan, {
      dedupe: settings.dedupe,
      now,
      deadline: open === undefined ? undefined : batchDeadline(open, policy),
      memberExpiresAt: settings.memberExpiresAt,
      dispatchLeaseMs: settings.dispatchLeaseMs,
    });
    if (written.ok) {
      closed.push(...written.closed);
      // The records this write added hold what it moved out of the header, so what was known
      // for the header it read (nothing, when there was none) stays known for the new one.
      const known = header.absent ? new Set<string>() : seen?.fingerprints;
      if (known !== undefined && (header.absent || seen?.epoch === header.state.epoch)) {
        for (const fingerprint of [...plan.flush, ...plan.direct]) known.add(fingerprint);
        seen = { epoch: written.header.state.epoch, fingerprints: known };
      }
      header = written.header;
      remaining = fresh.slice(plan.consumed);
      continue;
    }
    if (++conflicts >= MAX_CONFLICTS) throw new BatchContentionError(group, conflicts);
    header = written.current === 'unknown' ? await readHeader(context, hash, now) : written.current;
    remaining = fresh;
  }
  return { duplicateMembers, duplicateMarkers, closed };
}
