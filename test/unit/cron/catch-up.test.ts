import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CatchUpPolicy, dueFireTimes } from '../../../lambdas/core/cron/catch-up.js';
import { parseCronSchedule } from '../../../lambdas/core/cron/cron-schedule.js';
import { ValidationError } from '../../../lambdas/core/errors.js';

const at = (iso: string) => Date.parse(iso);
const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
const hourly = parseCronSchedule('0 * * * *');
const everyMinute = parseCronSchedule('* * * * *');

describe('dueFireTimes', () => {
  it.each<CatchUpPolicy>(['all', 'latest', 'none'])(
    'fires the one fire time of a punctual tick under %s',
    (policy) => {
      // Act
      const due = dueFireTimes({
        schedule: everyMinute,
        lastTickAt: at('2026-01-01T10:00:05Z'),
        now: at('2026-01-01T10:01:05Z'),
        policy,
      });

      // Assess
      expect(iso(due)).toEqual(['2026-01-01T10:01:00.000Z']);
    },
  );

  it.each<[CatchUpPolicy, string, string[]]>([
    [
      'all',
      '2026-01-01T12:00:10Z',
      ['2026-01-01T10:00:00.000Z', '2026-01-01T11:00:00.000Z', '2026-01-01T12:00:00.000Z'],
    ],
    ['latest', '2026-01-01T12:00:10Z', ['2026-01-01T12:00:00.000Z']],
    ['none', '2026-01-01T12:00:10Z', ['2026-01-01T12:00:00.000Z']],
    [
      'all',
      '2026-01-01T12:30:00Z',
      ['2026-01-01T10:00:00.000Z', '2026-01-01T11:00:00.000Z', '2026-01-01T12:00:00.000Z'],
    ],
    ['latest', '2026-01-01T12:30:00Z', ['2026-01-01T12:00:00.000Z']],
    ['none', '2026-01-01T12:30:00Z', []],
  ])('after an outage, %s fires at %s what it must', (policy, now, expected) => {
    // Act
    const due = dueFireTimes({
      schedule: hourly,
      lastTickAt: at('2026-01-01T09:30:00Z'),
      now: at(now),
      policy,
    });

    // Assess
    expect(iso(due)).toEqual(expected);
  });

  it.each<CatchUpPolicy>(['all', 'latest', 'none'])(
    'fires nothing older than the grace window on the first run under %s',
    (policy) => {
      // Act
      const punctual = dueFireTimes({ schedule: hourly, now: at('2026-01-01T12:04:59Z'), policy });
      const late = dueFireTimes({ schedule: hourly, now: at('2026-01-01T12:05:00Z'), policy });

      // Assess
      expect(iso(punctual)).toEqual(['2026-01-01T12:00:00.000Z']);
      expect(late).toEqual([]);
    },
  );

  it('keeps the most recent maxCount missed fire times under all', () => {
    // Act
    const due = dueFireTimes({
      schedule: everyMinute,
      lastTickAt: at('2026-01-01T00:00:00Z'),
      now: at('2026-01-01T10:00:00Z'),
      policy: 'all',
    });

    // Assess: 600 are due, the default keeps 100
    expect(due).toHaveLength(100);
    expect(due[0]?.toISOString()).toBe('2026-01-01T08:21:00.000Z');
    expect(due.at(-1)?.toISOString()).toBe('2026-01-01T10:00:00.000Z');
  });

  it('looks back at most maxWindowMs under all', () => {
    // Act
    const due = dueFireTimes({
      schedule: hourly,
      lastTickAt: at('2026-01-01T00:00:00Z'),
      now: at('2026-01-05T00:00:00Z'),
      policy: 'all',
      maxWindowMs: 3 * 3_600_000,
      maxCount: 1_000,
    });

    // Assess: (21:00, 00:00]
    expect(iso(due)).toEqual([
      '2026-01-04T22:00:00.000Z',
      '2026-01-04T23:00:00.000Z',
      '2026-01-05T00:00:00.000Z',
    ]);
  });

  it('finds the latest missed fire time of a sparse schedule after a long outage', () => {
    // Prepare
    const monthly = parseCronSchedule('0 9 1 * *', { timezone: 'Europe/Berlin' });

    // Act
    const due = dueFireTimes({
      schedule: monthly,
      lastTickAt: at('2025-01-01T00:00:00Z'),
      now: at('2026-06-15T00:00:00Z'),
      policy: 'latest',
    });

    // Assess: 09:00 CEST
    expect(iso(due)).toEqual(['2026-06-01T07:00:00.000Z']);
  });

  it('fires nothing when the previous tick is not before now', () => {
    // Act
    const due = dueFireTimes({
      schedule: everyMinute,
      lastTickAt: at('2026-01-01T10:01:00Z'),
      now: at('2026-01-01T10:01:00Z'),
      policy: 'all',
    });

    // Assess
    expect(due).toEqual([]);
  });

  it('fires every fire time exactly once across ticks that are never later than the grace window', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<CatchUpPolicy>('all', 'latest', 'none'),
        fc.constantFrom('* * * * *', '*/7 * * * *', '0 * * * *', '30 2 * * *'),
        fc.integer({ min: at('2026-03-28T00:00:00Z'), max: at('2026-03-30T00:00:00Z') }),
        fc.array(fc.integer({ min: 1, max: 5 * 60_000 }), { minLength: 1, maxLength: 40 }),
        (policy, expression, start, gaps) => {
          // Prepare
          const schedule = parseCronSchedule(expression, { timezone: 'Europe/Berlin' });
          const ticks = [start];
          for (const gap of gaps) ticks.push((ticks.at(-1) ?? start) + gap);

          // Act
          const fired = ticks
            .slice(1)
            .flatMap((now, i) => dueFireTimes({ schedule, lastTickAt: ticks[i], now, policy }));

          // Assess
          expect(fired).toEqual(schedule.between(start, ticks.at(-1) ?? start));
        },
      ),
      { numRuns: 150 },
    );
  });

  it.each([
    ['maxCount', { maxCount: 0 }],
    ['maxCount', { maxCount: 1.5 }],
    ['graceMs', { graceMs: -1 }],
    ['maxWindowMs', { maxWindowMs: Number.NaN }],
    ['policy', { policy: 'some' as CatchUpPolicy }],
    ['now', { now: Number.NaN }],
  ])('names the %s option when it is invalid', (field, options) => {
    // Act
    const act = () =>
      dueFireTimes({
        schedule: hourly,
        now: at('2026-01-01T12:00:00Z'),
        policy: 'all',
        ...options,
      });

    // Assess
    expect(act).toThrow(ValidationError);
    expect(act).toThrow(new RegExp(`^${field}: `));
  });
});
