/** One day in milliseconds. */
export const DAY_MS = 24 * 60 * 60 * 1000;

/** How long the ingest queue keeps an event it could not process yet (SQS's default, 4 days). */
export const INGEST_QUEUE_RETENTION_DAYS = 4;

/** How long every dead-letter queue keeps a message: SQS's maximum, so a redrive survives a long weekend. */
export const DEAD_LETTER_RETENTION_DAYS = 14;

/**
 * The longest after its first receipt that an event can come back: SQS
 * keeps a dead-lettered message for {@link DEAD_LETTER_RETENTION_DAYS} from
 * its first enqueue, and a redrive puts it back on the ingest queue for
 * another {@link INGEST_QUEUE_RETENTION_DAYS}. Dedupe records and
 * idempotency items live at least this long after their last write, so a
 * late redelivery still meets the record of its first delivery.
 */
export const REDELIVERY_HORIZON_MS =
  (DEAD_LETTER_RETENTION_DAYS + INGEST_QUEUE_RETENTION_DAYS) * DAY_MS;

/**
 * How long a dispatched batch and its member keys stay readable: as long as
 * a dead-lettered task message is kept, so a BatchTask redriven from its DLQ
 * still reads its members. It also bounds a batch's quiet period and maximum
 * age, so no batch waits for longer than its members are kept.
 */
export const BATCH_RETENTION_MS = DEAD_LETTER_RETENTION_DAYS * DAY_MS;
