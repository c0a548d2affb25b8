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
   * order: `new` (first delivery), `retry` (the same owner again: an SQS
   * retry, a DLQ redrive or a journal replay) or `duplicate` (another
   * delivery got there first). A claim whose write failed is reported as an
   * Error, so its delivery can be retried.
   *
   * A retry always passes: whether its event was counted already is for the
   * batch store's duplicate check (bucket, key, sequencer) and the job store's
   * idempotency keys to decide. The ledger cannot: it would have to be told
   * "ingested" by an invocation that may not itself have counted the event
   * (a concurrent delivery of the same message that the batch store called a
   * duplicate), and so lose it when the one that did count it fails.
   */
  claim(
    claims: readonly DeliveryClaim[],
    now: number,
  ): Promise<Array<'new' | 'retry' | 'duplicate' | Error>>;
  /** Which of `objects` of `bucket` were delivered before: their `key` set. */
  recorded(bucket: string, objects: readonly RecordedQuery[]): Promise<Set<string>>;
}
