import type { BatchToPublish } from '../../../lambdas/core/ports/event-publisher.js';

const CLOSED_AT = Date.parse('2026-03-01T12:00:00Z');

/** `count` closed batches of one automation, each with two inline keys and a distinct id. */
export function readyBatches(count: number): BatchToPublish[] {
  return Array.from({ length: count }, (_, index) => {
    const prefix = `instrument-a/run-${index}/`;
    return {
      batchId: `01JBATCH${String(index).padStart(18, '0')}`,
      automationId: 'automation-1',
      automationName: 'scenes',
      bucket: 'raw-scenes',
      prefix,
      count: 2,
      reason: 'count',
      firstEventAt: CLOSED_AT - 60_000,
      lastEventAt: CLOSED_AT,
      closedAt: CLOSED_AT,
      keys: [`${prefix}0.tif`, `${prefix}1.tif`],
    };
  });
}
