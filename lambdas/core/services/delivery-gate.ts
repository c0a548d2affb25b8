import { deliveryVersion } from '../events/delivery-version.js';
import type { ObjectEvent } from '../events/object-event.js';
import type { DeliveryClaim, DeliveryLedger } from '../ports/delivery-ledger.js';

/** What the gate let through. */
export interface AdmittedEvents {
  /** Events to ingest: new deliveries, retries of unfinished ones, and events the ledger does not record. */
  readonly events: readonly ObjectEvent[];
  /** Events dropped as another delivery of an object version already recorded. */
  readonly duplicates: readonly ObjectEvent[];
  /** Deliveries whose claim could not be written: report them as failed so they come again. */
  readonly failedDeliveryIds: ReadonlySet<string>;
  readonly errors: readonly unknown[];
}

/**
 * Lets each created object version through once, whichever way it came (a
 * live S3 event, a folder watcher, a backfill): every created event given
 * (the ingest handler gives only those that reach an automation) claims
 * (bucket, key, version) for the event that carried it in the delivery
 * ledger, and only a new claim or the same event again (an SQS retry, a
 * redrive) passes. Deletions, and events without a version or an id, pass
 * unrecorded; the job store's idempotency keys and the batch store's
 * duplicate check still apply to everything that passes.
 *
 * @example
 * ```ts
 * const { events, failedDeliveryIds } = await admitDeliveries(ledger, parsed, now);
 * ```
 */
export async function admitDeliveries(
  ledger: DeliveryLedger,
  events: readonly ObjectEvent[],
  now: number,
): Promise<AdmittedEvents> {
  const claims: DeliveryClaim[] = [];
  const claimed: ObjectEvent[] = [];
  const admitted = new Set<ObjectEvent>();
  for (const event of events) {
    const version = deliveryVersion(event);
    const owner = event.eventId ?? event.deliveryId;
    if (version === undefined || owner === undefined) {
      admitted.add(event);
      continue;
    }
    claims.push({ bucket: event.bucket, key: event.key, version, owner });
    claimed.push(event);
  }
  const duplicates: ObjectEvent[] = [];
  const failedDeliveryIds = new Set<string>();
  const errors: unknown[] = [];
  const outcomes = claims.length > 0 ? await ledger.claim(claims, now) : [];
  claimed.forEach((event, index) => {
    const outcome = outcomes[index];
    if (outcome === 'new' || outcome === 'retry') {
      admitted.add(event);
    } else if (outcome === 'duplicate') duplicates.push(event);
    else {
      errors.push(outcome);
      if (event.deliveryId !== undefined) failedDeliveryIds.add(event.deliveryId);
    }
  });
  return {
    events: events.filter((event) => admitted.has(event)),
    duplicates,
    failedDeliveryIds,
    errors,
  };
}
