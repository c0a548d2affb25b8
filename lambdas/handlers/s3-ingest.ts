import { parseS3EventBridgeMessage } from '../adapters/aws/events/s3-event-parsing.js';
import type { ObjectEvent } from '../core/events/object-event.js';
import { METRIC_CATALOG } from '../core/metrics/metric-catalog.js';
import { admitDeliveries } from '../core/services/delivery-gate.js';
import { ingestObjectEvents } from '../core/services/ingest-service.js';
import { environmentRuntime } from './lazy-runtime.js';
import type { HandlerRuntime } from './runtime.js';
import { type SqsBatchResponse, type SqsEvent, sqsEventSchema } from './sqs-event.js';

/**
 * Ingests S3 "Object Created" / "Object Deleted" events that the EventBridge
 * rule put on the ingest queue (and backfills). Each created object version
 * that reaches an automation passes once (the delivery ledger drops other
 * deliveries of it); one that reaches none is dropped unrecorded. The whole
 * SQS batch is aggregated in memory
 * (one batch-store update per automation and prefix), which Powertools'
 * per-record BatchProcessor cannot do, so partial failures are reported here:
 * a malformed message and the deliveries a failed write concerns are
 * returned as failures and redelivered, ending in the DLQ if they keep failing.
 */
export function createS3IngestHandler(runtime: HandlerRuntime) {
  return async (input: SqsEvent): Promise<SqsBatchResponse> => {
    const event = sqsEventSchema.parse(input);
    const now = runtime.clock();
    const failures = new Set<string>();
    const events: ObjectEvent[] = [];
    for (const record of event.Records) {
      try {
        events.push(parseS3EventBridgeMessage(record.body, record.messageId));
      } catch (error) {
        runtime.logger.error('malformed ingest message', {
          messageId: record.messageId,
          error: String(error),
        });
        failures.add(record.messageId);
      }
    }
    const catalog = await runtime.catalog(now);
    // A created object that no automation reaches costs nothing and is not recorded, so a
    // backfill still finds it once an automation matches it.
    const reaching = events.filter(
      (e) => e.type !== 'created' || catalog.automationsReached(e).length > 0,
    );
    const admitted = await admitDeliveries(runtime.deliveries, reaching, now);
    for (const id of admitted.failedDeliveryIds) failures.add(id);
    for (const error of admitted.errors) {
      runtime.deps.observe?.({ type: 'error', where: 'delivery ledger', error });
    }
    const result = await ingestObjectEvents(runtime.deps, catalog, admitted.events, now);
    for (const id of result.failedDeliveryIds) failures.add(id);

    const { metrics } = runtime;
    metrics.emit(METRIC_CATALOG.eventsIngested, events.length, {});
    metrics.emit(
      METRIC_CATALOG.duplicatesDropped,
      admitted.duplicates.length + result.batchEventsDuplicate + result.duplicateJobs,
      {},
    );
    const oldest = Math.min(...events.map((e) => e.time));
    if (Number.isFinite(oldest)) metrics.emit(METRIC_CATALOG.ingestLag, now - oldest, {});
    metrics.publish();
    await runtime.flushTraces();
    return { batchItemFailures: [...failures].map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

export const handler = (event: SqsEvent) => createS3IngestHandler(environmentRuntime())(event);
