import { describe, expect, it } from 'vitest';
import {
  batchReadyDetail,
  batchReadyEntry,
  eventEntrySize,
  INLINE_KEYS_MAX_BYTES,
  MAX_EVENT_ENTRY_BYTES,
} from '../../../lambdas/core/events/batch-ready-event.js';
import type { BatchToPublish } from '../../../lambdas/core/ports/event-publisher.js';

const batch: BatchToPublish = {
  batchId: '01JBATCH0000000000000000001',
  automationId: 'automation-1',
  automationName: 'scenes',
  bucket: 'raw-scenes',
  prefix: 'instrument-a/run-7/',
  count: 3,
  reason: 'quiet',
  firstEventAt: Date.parse('2026-03-01T11:58:00Z'),
  lastEventAt: Date.parse('2026-03-01T11:59:00Z'),
  closedAt: Date.parse('2026-03-01T12:04:00Z'),
  keys: ['instrument-a/run-7/a.tif', 'instrument-a/run-7/b.tif', 'instrument-a/run-7/a.tif'],
};

describe('batchReadyDetail', () => {
  it('puts the keys inline, one per counted event, with ISO times', () => {
    // Act
    const detail = batchReadyDetail(batch);

    // Assess
    expect(detail).toEqual({
      version: 1,
      batchId: batch.batchId,
      automationId: 'automation-1',
      automation: 'scenes',
      bucket: 'raw-scenes',
      prefix: 'instrument-a/run-7/',
      count: 3,
      reason: 'quiet',
      firstEventAt: '2026-03-01T11:58:00.000Z',
      lastEventAt: '2026-03-01T11:59:00.000Z',
      closedAt: '2026-03-01T12:04:00.000Z',
      members: { location: 'inline' },
      keys: batch.keys,
      keysTruncated: false,
    });
  });

  it('points at the batches table when the keys exceed the inline budget', () => {
    // Prepare
    const keys = Array.from({ length: 3000 }, (_, index) => `p/${String(index).padStart(80, '0')}`);

    // Act
    const detail = batchReadyDetail({ ...batch, keys }, { membersTable: 'bucketflow-batches' });

    // Assess
    expect(JSON.stringify(keys).length).toBeGreaterThan(INLINE_KEYS_MAX_BYTES);
    expect(detail.keys).toBeUndefined();
    expect(detail.keysTruncated).toBe(true);
    expect(detail.members).toEqual({
      location: 'dynamodb',
      batchId: batch.batchId,
      table: 'bucketflow-batches',
    });
  });

  it('points at the store when the caller did not read the keys', () => {
    // Act
    const detail = batchReadyDetail({ ...batch, keys: undefined });

    // Assess
    expect(detail.members).toEqual({ location: 'dynamodb', batchId: batch.batchId });
    expect(detail.keysTruncated).toBe(true);
  });

  it('keeps an entry with the largest inline keys under the EventBridge limit', () => {
    // Prepare: keys whose JSON is just under the inline budget, and a 1 KiB prefix.
    const key = 'k'.repeat(1000);
    const keys = Array.from({ length: Math.floor(INLINE_KEYS_MAX_BYTES / 1003) }, () => key);

    // Act
    const entry = batchReadyEntry({ ...batch, prefix: 'p'.repeat(1024), keys });

    // Assess
    expect(JSON.parse(entry.detail).keysTruncated).toBe(false);
    expect(eventEntrySize(entry)).toBeLessThan(MAX_EVENT_ENTRY_BYTES);
  });
});

describe('eventEntrySize', () => {
  it('counts 14 bytes for the time and the UTF-8 bytes of the text fields', () => {
    // Act
    const size = eventEntrySize({
      source: 'bucketflow',
      detailType: 'objects-batch-ready',
      detail: '{"k":"ü"}',
      resources: ['arn:aws:s3:::b'],
      time: 0,
      batchId: 'x',
    });

    // Assess
    expect(size).toBe(14 + 10 + 19 + 10 + 14);
  });
});
