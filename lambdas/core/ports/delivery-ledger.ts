/**
 * One object version arriving through one delivery: the unit the ledger
 * records. `version` is the object's ETag (quotes removed), or for a local
 * folder the fingerprint of its size and modification time; `owner` is the
 * id of the event that carried it, which an SQS retry or a DLQ redrive keeps.
 */
export interface DeliveryClaim {
  /** The bucket, or the local folder's location name. */
  readonly bucket: string;
  readonly key: string;
  readonly version: string;
  readonly owner: string;
}

/** An object version to look up: was it ever delivered? */
export interface RecordedQuery {
  readonly key: string;
  readonly version: string;
}

/**
 * The durable record of which object versions reached bucketflow, shared by
 * live events and backfills: a backfilled object and its live event are the
 * same delivery when (bucket, key, version) is the same.
 *
 * @example
 * ```ts
 * const outcomes = await ledger.claim([{ bucket: 'b', key: 'a.txt', version: 'e1', owner: 'evt-1' }], now);
 * outcomes[0]; // 'new' the first time, 'retry' for evt-1 again, 'duplicate' for another event
 * ```
 */
export interface DeliveryLedger {
  /**
   * Records each claim unless its version is recorded already. Per claim, in
   * order: `new` (first delivery), `retry` (the same owner again: a
   * redelivery of a delivery that did not settle) or `duplicate` (another
   * delivery got there first, or this one settled already). A claim whose
   * write failed is reported as an Error, so its delivery can be retried.
   */
  claim(
    claims: readonly DeliveryClaim[],
    now: number,
  ): Promise<Array<'new' | 'retry' | 'duplicate' | Error>>;
  /**
   * Marks claims as fully ingested, so a replay of the same event (a crash
   * after the ingest, before the queue or journal learnt of it) is a
   * `duplicate` and not a `retry`: a closed batch would take it again.
   */
  settle(claims: readonly DeliveryClaim[], now: number): Promise<void>;
  /** Which of `objects` of `bucket` were delivered before: their `key` set. */
  recorded(bucket: string, objects: readonly RecordedQuery[]): Promise<Set<string>>;
}
