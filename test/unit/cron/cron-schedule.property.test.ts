import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCronSchedule } from '../../../lambdas/core/cron/cron-schedule.js';
import { bruteForceFires, cronExpression, localTime, matches } from './cron-oracle.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Zones with DST changes of one hour, half an hour, at midnight, and none at all. */
const ZONES = [
  'UTC',
  'Europe/Berlin',
  'America/New_York',
  'Australia/Lord_Howe',
  'America/Santiago',
];

/** The 2026 changes of each zone (UTC instants), with a quiet day for UTC. */
const CHANGES: ReadonlyArray<readonly [string, string]> = [
  ['UTC', '2026-06-15T00:00:00Z'],
  ['Europe/Berlin', '2026-03-29T01:00:00Z'],
  ['Europe/Berlin', '2026-10-25T01:00:00Z'],
  ['America/New_York', '2026-03-08T07:00:00Z'],
  ['America/New_York', '2026-11-01T06:00:00Z'],
  ['Australia/Lord_Howe', '2026-04-04T15:00:00Z'],
  ['Australia/Lord_Howe', '2026-10-03T15:30:00Z'],
  ['America/Santiago', '2026-04-05T03:00:00Z'],
  ['America/Santiago', '2026-09-06T04:00:00Z'],
];

const YEAR_2026 = Date.parse('2026-01-01T00:00:00Z');
/** Any instant in 2026-2027, to the millisecond. */
const instant = fc.integer({ min: YEAR_2026, max: YEAR_2026 + 2 * 365 * 24 * HOUR });

describe('CronSchedule properties', () => {
  it('returns fire times strictly after the start and strictly increasing', () => {
    fc.assert(
      fc.property(cronExpression, fc.constantFrom(...ZONES), instant, (cron, timezone, after) => {
        // Prepare
        const schedule = parseCronSchedule(cron.expression, { timezone });

        // Act
        const fires = schedule.next(after, 12).map((d) => d.getTime());

        // Assess
        expect(fires[0]).toBeGreaterThan(after);
        for (let i = 1; i < fires.length; i++) {
          expect(fires[i]).toBeGreaterThan(fires[i - 1] ?? Number.POSITIVE_INFINITY);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('fires only at local times that satisfy every field, or at the end of a gap that swallowed one', () => {
    fc.assert(
      fc.property(cronExpression, fc.constantFrom(...ZONES), instant, (cron, timezone, after) => {
        // Prepare
        const schedule = parseCronSchedule(cron.expression, { timezone });

        // Act
        const fires = schedule.next(after, 12).map((d) => d.getTime());

        // Assess
        for (const fire of fires) {
          const local = localTime(fire, timezone);
          if (matches(cron, local.wallMs)) continue;
          // Spring forward: the local time jumped over a matching time, and the schedule is wall-clock.
          const before = localTime(fire - MINUTE, timezone).wallMs;
          const skipped: number[] = [];
          for (let wall = before + MINUTE; wall < local.wallMs; wall += MINUTE) skipped.push(wall);
          expect(cron.interval, new Date(fire).toISOString()).toBe(false);
          expect(skipped.some((wall) => matches(cron, wall))).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('agrees with a minute-by-minute brute force around every DST change', () => {
    fc.assert(
      fc.property(
        // Wall-clock schedules get their own share: their DST rules differ most from the raw library.
        fc.oneof(
          cronExpression,
          cronExpression.filter((cron) => !cron.interval),
        ),
        fc.constantFrom(...CHANGES),
        fc.integer({ min: -30, max: 6 }),
        (cron, [timezone, change], startHours) => {
          // Prepare: a 30-hour window that contains the change, starting on a whole minute
          const from = Date.parse(change) + startHours * HOUR;
          const to = from + 30 * HOUR;
          const schedule = parseCronSchedule(cron.expression, { timezone });

          // Act
          const fires = schedule.between(from, to).map((d) => d.getTime());

          // Assess
          expect(fires.map((t) => new Date(t).toISOString())).toEqual(
            bruteForceFires(cron, timezone, from, to).map((t) => new Date(t).toISOString()),
          );
        },
      ),
      { numRuns: 120 },
    );
  });

  it('splits an interval at any point without losing or repeating a fire time', () => {
    fc.assert(
      fc.property(
        cronExpression,
        fc.constantFrom(...ZONES),
        fc.array(instant, { minLength: 3, maxLength: 3 }),
        (cron, timezone, points) => {
          // Prepare
          const [a = 0, b = 0, c = 0] = points.sort((x, y) => x - y);
          // Keep the intervals small enough for dense schedules.
          const scale = (t: number) => a + Math.floor((t - a) / 2000);
          const schedule = parseCronSchedule(cron.expression, { timezone });

          // Act
          const whole = schedule.between(a, scale(c));
          const parts = [...schedule.between(a, scale(b)), ...schedule.between(scale(b), scale(c))];

          // Assess
          expect(parts).toEqual(whole);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('lists in between() exactly what successive next() calls return', () => {
    fc.assert(
      fc.property(cronExpression, fc.constantFrom(...ZONES), instant, (cron, timezone, from) => {
        // Prepare
        const schedule = parseCronSchedule(cron.expression, { timezone });
        const fires = schedule.next(from, 10);
        const last = fires.at(-1) ?? new Date(from);

        // Act
        const listed = schedule.between(from, last);

        // Assess
        expect(listed).toEqual(fires);
      }),
      { numRuns: 200 },
    );
  });
});
