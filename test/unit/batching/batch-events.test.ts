import { describe, expect, it } from 'vitest';
import {
  classifyEvent,
  dedupeKey,
  groupEventsByPrefix,
} from '../../../lambdas/core/batching/batch-events.js';
import { createBatchPolicy } from '../../../lambdas/core/batching/batch-thresholds.js';
import { SeenDeliveries } from '../../../lambdas/core/batching/seen-deliveries.js';
import { at, created } from './batching-fixtures.js';

describe('classifyEvent', () => {
  it('checks deleted before ignored, and gives counted events their prefix', () => {
    // Prepare
    const policy = createBatchPolicy({ prefixDepth: 1, ignore: ['raw/*'] });

    // Act
    const outcomes = [
      classifyEvent(created('raw/a', 0, { type: 'deleted' }), policy),
      classifyEvent(created('raw/a', 0), policy),
      classifyEvent(created('data/x/a', 0), policy),
    ];

    // Assess
    expect(outcomes).toEqual([
      { outcome: 'deleted' },
      { outcome: 'ignored' },
      { outcome: 'counted', prefix: 'data/' },
    ]);
  });
});

describe('dedupeKey', () => {
  it('tells apart deliveries whose fields would collide when simply concatenated', () => {
    // Act
    const first = dedupeKey(created('ab', 0, { bucket: 'b', sequencer: 'c' }));
    const second = dedupeKey(created('a', 0, { bucket: 'b', sequencer: 'bc' }));

    // Assess
    expect(first).not.toBe(second);
  });

  it('is undefined without a sequencer', () => {
    // Act
    const key = dedupeKey(created('a', 0));

    // Assess
    expect(key).toBeUndefined();
  });
});

describe('groupEventsByPrefix', () => {
  it('groups counted events by bucket and prefix in event-time order', () => {
    // Prepare
    const events = [
      created('a/b/2', 20),
      created('a/b/1', 10, { sequencer: 's1' }),
      created('x/y/1', 15),
      created('a/b/1', 12, { sequencer: 's1' }),
      created('a/b/3', 5, { type: 'deleted' }),
      created('a/b/4', 30, { bucket: 'c' }),
    ];

    // Act
    const { groups, stats } = groupEventsByPrefix(events, createBatchPolicy());

    // Assess
    expect(
      groups.map((group) => [group.bucket, group.prefix, group.events.map((e) => e.key)]),
    ).toEqual([
      ['b', 'a/b/', ['a/b/1', 'a/b/2']],
      ['b', 'x/y/', ['x/y/1']],
      ['c', 'a/b/', ['a/b/4']],
    ]);
    expect(groups[0]?.events[0]).toEqual({
      bucket: 'b',
      prefix: 'a/b/',
      key: 'a/b/1',
      time: at(10),
      sequencer: 's1',
    });
    expect(stats).toEqual({
      read: 6,
      counted: 4,
      duplicates: 1,
      deleted: 1,
      ignored: 0,
      markers: 0,
    });
  });

  it('dedupes across calls that share a seen set', () => {
    // Prepare
    const policy = createBatchPolicy();
    const seen = new SeenDeliveries();
    groupEventsByPrefix([created('a/b/1', 0, { sequencer: '1' })], policy, seen);

    // Act
    const { groups, stats } = groupEventsByPrefix(
      [created('a/b/1', 1, { sequencer: '1' })],
      policy,
      seen,
    );

    // Assess
    expect(groups).toEqual([]);
    expect(stats.duplicates).toBe(1);
  });
});

describe('SeenDeliveries', () => {
  it('tells a repeated delivery from a new write of the same key', () => {
    // Prepare
    const seen = new SeenDeliveries();
    const writes = ['s1', 's2', 's3'].map((sequencer) => created('a/b/1', 0, { sequencer }));

    // Act
    const first = writes.map((event) => seen.checkAndAdd(event));
    const again = writes.map((event) => seen.checkAndAdd(event));

    // Assess
    expect(first).toEqual([false, false, false]);
    expect(again).toEqual([true, true, true]);
  });

  it('keeps buckets apart', () => {
    // Prepare
    const seen = new SeenDeliveries();
    seen.checkAndAdd(created('a/b/1', 0, { sequencer: 's1', bucket: 'one' }));

    // Act
    const other = seen.checkAndAdd(created('a/b/1', 0, { sequencer: 's1', bucket: 'two' }));

    // Assess
    expect(other).toBe(false);
  });
});
