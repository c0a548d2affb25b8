import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type DeliveredEvent,
  LocalEventBus,
} from '../../../lambdas/adapters/local/local-event-bus.js';
import { batchReadyDetail } from '../../../lambdas/core/events/batch-ready-event.js';
import type { EventPublishError } from '../../../lambdas/core/ports/event-publisher.js';
import { readyBatches } from './batch-ready-fixtures.js';

describe('LocalEventBus', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bucketflow-bus-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('appends one JSON line per event and emits it in the envelope a rule target receives', async () => {
    // Prepare
    const file = join(dir, 'nested', 'events.jsonl');
    const bus = new LocalEventBus({ file });
    const heard: DeliveredEvent[] = [];
    bus.events.on('objects-batch-ready', (event: DeliveredEvent) => heard.push(event));
    const batches = readyBatches(3);

    // Act
    await bus.publishBatchReady(batches.slice(0, 2));
    await bus.publishBatchReady(batches.slice(2));

    // Assess
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    const written = lines.map((line) => JSON.parse(line) as DeliveredEvent);
    expect(written).toEqual(heard);
    expect(bus.published).toEqual(heard);
    expect(written.map(({ detail }) => detail)).toEqual(
      batches.map((batch) => batchReadyDetail(batch)),
    );
    expect(written[0]).toMatchObject({
      version: '0',
      'detail-type': 'objects-batch-ready',
      source: 'bucketflow',
      time: '2026-03-01T12:00:00Z',
      resources: ['arn:aws:s3:::raw-scenes'],
    });
    expect(new Set(written.map(({ id }) => id)).size).toBe(3);
  });

  it('publishes even when a listener throws, and reports the listener error', async () => {
    // Prepare
    const bus = new LocalEventBus();
    const errors: unknown[] = [];
    bus.events.on('objects-batch-ready', () => {
      throw new Error('listener broke');
    });
    bus.events.on('listener-error', (error: unknown) => errors.push(error));

    // Act
    await bus.publishBatchReady(readyBatches(2));

    // Assess
    expect(bus.published).toHaveLength(2);
    expect(errors.map((error) => (error as Error).message)).toEqual([
      'listener broke',
      'listener broke',
    ]);
  });

  it('refuses an event EventBridge would refuse for its size and delivers the rest', async () => {
    // Prepare
    const file = join(dir, 'events.jsonl');
    const bus = new LocalEventBus({ file, source: 'my.app' });
    const [small, big] = readyBatches(2);
    const huge = { ...big, automationName: 'x'.repeat(300_000) } as NonNullable<typeof big>;

    // Act
    const error = await bus
      .publishBatchReady([small, huge] as NonNullable<typeof small>[])
      .catch((caught: unknown) => caught);

    // Assess
    expect((error as EventPublishError).failed).toEqual([
      expect.objectContaining({ batchId: huge.batchId, code: 'EntryTooLarge' }),
    ]);
    const written = (await readFile(file, 'utf8')).trimEnd().split('\n');
    expect(written).toHaveLength(1);
    expect(JSON.parse(written[0] ?? '{}')).toMatchObject({ source: 'my.app' });
  });
});
