import { describe, expect, it } from 'vitest';
import { simulateBatches } from '../../../lambdas/core/batching/batch-simulation.js';
import { applyEvent, type OpenBatch } from '../../../lambdas/core/batching/batch-state.js';
import {
  createBatchPolicy,
  createBatchThresholds,
} from '../../../lambdas/core/batching/batch-thresholds.js';
import { compileMarker } from '../../../lambdas/core/batching/marker.js';
import { at, created, placed } from './batching-fixtures.js';

const thresholds = createBatchThresholds({ count: 20, quietSeconds: 300 });
const open: OpenBatch = {
  bucket: 'b',
  prefix: 'a/',
  count: 2,
  firstEventAt: at(0),
  lastEventAt: at(10),
  keys: ['a/1', 'a/2'],
};

describe('compileMarker', () => {
  it.each([
    ['_SUCCESS', 'runs/7/_SUCCESS', true],
    ['_SUCCESS', '_SUCCESS', true],
    ['_SUCCESS', 'runs/7/_SUCCESS.crc', false],
    ['**/manifest.json', 'runs/7/manifest.json', true],
    ['**/manifest.json', 'manifest.json', false],
    ['*.done', 'exports/2024/day.done', true],
    ['exports/*/done.flag', 'exports/a/done.flag', true],
    ['exports/*/done.flag', 'imports/a/done.flag', false],
  ])('%s matches %s: %s', (pattern, key, expected) => {
    // Act
    const matches = compileMarker(pattern).test(key);

    // Assess
    expect(matches).toBe(expected);
  });
});

describe('applyEvent with a marker', () => {
  it('closes the open batch with the marker as its last member, reason marker, at its time', () => {
    // Act
    const { state, closed } = applyEvent(
      open,
      { ...placed('a/_SUCCESS', 20), marker: 'member' },
      thresholds,
    );

    // Assess
    expect(state).toBeUndefined();
    expect(closed).toEqual([
      {
        ...open,
        count: 3,
        lastEventAt: at(20),
        keys: ['a/1', 'a/2', 'a/_SUCCESS'],
        reason: 'marker',
        closedAt: at(20),
      },
    ]);
  });

  it('closes the open batch without a marker that is not a member, and opens nothing', () => {
    // Act
    const { state, closed } = applyEvent(
      open,
      { ...placed('a/_SUCCESS', 20), marker: 'control' },
      thresholds,
    );

    // Assess
    expect(state).toBeUndefined();
    expect(closed).toEqual([{ ...open, reason: 'marker', closedAt: at(20) }]);
  });

  it('does nothing for a marker that is not a member when no batch is open', () => {
    // Act
    const step = applyEvent(
      undefined,
      { ...placed('a/_SUCCESS', 20), marker: 'control' },
      thresholds,
    );

    // Assess
    expect(step).toEqual({ state: undefined, closed: [] });
  });

  it('closes an overdue batch by its deadline first, then the marker its own batch of one', () => {
    // Act
    const { closed } = applyEvent(
      open,
      { ...placed('a/_SUCCESS', 400), marker: 'member' },
      thresholds,
    );

    // Assess
    expect(closed.map((batch) => [batch.reason, batch.keys])).toEqual([
      ['quiet', ['a/1', 'a/2']],
      ['marker', ['a/_SUCCESS']],
    ]);
  });
});

describe('simulateBatches with a marker', () => {
  it('closes each run folder at its _SUCCESS, before the count or the quiet period', () => {
    // Prepare
    const policy = createBatchPolicy({ prefixDepth: 2, count: 20, marker: '_SUCCESS' });
    const events = [
      created('runs/1/part-0', 0),
      created('runs/1/part-1', 1),
      created('runs/2/part-0', 1),
      created('runs/1/_SUCCESS', 2),
      created('runs/1/part-late', 3),
    ];

    // Act
    const { closed, stats } = simulateBatches(events, policy);

    // Assess
    expect(closed.map((batch) => [batch.prefix, batch.reason, batch.keys])).toEqual([
      ['runs/1/', 'marker', ['runs/1/part-0', 'runs/1/part-1', 'runs/1/_SUCCESS']],
      ['runs/2/', 'quiet', ['runs/2/part-0']],
      ['runs/1/', 'quiet', ['runs/1/part-late']],
    ]);
    expect(stats).toMatchObject({ counted: 5, markers: 0 });
  });

  it('counts a marker that is not a member as a marker, not as a member', () => {
    // Prepare
    const policy = createBatchPolicy({
      prefixDepth: 1,
      marker: '**/manifest.json',
      markerIsMember: false,
    });

    // Act
    const { closed, stats } = simulateBatches(
      [created('x/a', 0), created('x/manifest.json', 1)],
      policy,
    );

    // Assess
    expect(closed.map((batch) => [batch.reason, batch.count, batch.keys])).toEqual([
      ['marker', 1, ['x/a']],
    ]);
    expect(stats).toMatchObject({ read: 2, counted: 1, markers: 1 });
  });
});
