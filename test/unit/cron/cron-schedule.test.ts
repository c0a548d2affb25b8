import { CronExpressionParser } from 'cron-parser';
import { describe, expect, it } from 'vitest';
import { parseCronSchedule } from '../../../lambdas/core/cron/cron-schedule.js';
import { ValidationError } from '../../../lambdas/core/errors.js';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe('parseCronSchedule', () => {
  it.each([
    // [expression, zone, after, expected fire times]
    [
      '*/20 * * * *',
      'UTC',
      '2026-01-01T00:00:00Z',
      ['2026-01-01T00:20:00.000Z', '2026-01-01T00:40:00.000Z', '2026-01-01T01:00:00.000Z'],
    ],
    [
      '0 9 * * MON-FRI',
      'UTC',
      '2026-01-02T09:00:00Z',
      ['2026-01-05T09:00:00.000Z', '2026-01-06T09:00:00.000Z', '2026-01-07T09:00:00.000Z'],
    ],
    [
      '0 0 1 JAN,jul *',
      'UTC',
      '2026-03-01T00:00:00Z',
      ['2026-07-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z', '2027-07-01T00:00:00.000Z'],
    ],
    [
      '0 12 13 * FRI',
      'UTC',
      '2026-02-01T00:00:00Z',
      ['2026-02-06T12:00:00.000Z', '2026-02-13T12:00:00.000Z', '2026-02-20T12:00:00.000Z'],
    ],
    [
      '0 0 * * 7',
      'UTC',
      '2026-01-01T00:00:00Z',
      ['2026-01-04T00:00:00.000Z', '2026-01-11T00:00:00.000Z', '2026-01-18T00:00:00.000Z'],
    ],
    [
      '0 0 29 2 *',
      'UTC',
      '2026-01-01T00:00:00Z',
      ['2028-02-29T00:00:00.000Z', '2032-02-29T00:00:00.000Z', '2036-02-29T00:00:00.000Z'],
    ],
    [
      '0-10/5,5 2,2 * * 0,7',
      'UTC',
      '2026-01-01T00:00:00Z',
      ['2026-01-04T02:00:00.000Z', '2026-01-04T02:05:00.000Z', '2026-01-04T02:10:00.000Z'],
    ],
    [
      '@weekly',
      'UTC',
      '2026-01-01T00:00:00Z',
      ['2026-01-04T00:00:00.000Z', '2026-01-11T00:00:00.000Z', '2026-01-18T00:00:00.000Z'],
    ],
    [
      '@monthly',
      'Asia/Tokyo',
      '2026-01-01T00:00:00Z',
      ['2026-01-31T15:00:00.000Z', '2026-02-28T15:00:00.000Z', '2026-03-31T15:00:00.000Z'],
    ],
    [
      '@yearly',
      'America/New_York',
      '2026-01-01T00:00:00Z',
      ['2026-01-01T05:00:00.000Z', '2027-01-01T05:00:00.000Z', '2028-01-01T05:00:00.000Z'],
    ],
  ])(
    'fires %s in %s after %s at the expected instants',
    (expression, timezone, after, expected) => {
      // Prepare
      const schedule = parseCronSchedule(expression, { timezone });

      // Act
      const fires = schedule.next(new Date(after), 3);

      // Assess
      expect(iso(fires)).toEqual(expected);
    },
  );

  it.each([
    // Spring forward: a skipped local time fires once, at the first instant after the gap.
    [
      '30 2 * * *',
      'Europe/Berlin',
      '2026-03-28T00:00:00Z',
      3,
      ['2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z'],
    ],
    [
      '0,30 2 * * *',
      'Europe/Berlin',
      '2026-03-28T12:00:00Z',
      2,
      ['2026-03-29T01:00:00.000Z', '2026-03-30T00:00:00.000Z'],
    ],
    [
      '0 2,3 * * *',
      'Europe/Berlin',
      '2026-03-28T12:00:00Z',
      2,
      ['2026-03-29T01:00:00.000Z', '2026-03-30T00:00:00.000Z'],
    ],
    [
      '30 2 * * *',
      'America/New_York',
      '2026-03-07T12:00:00Z',
      2,
      ['2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z'],
    ],
    [
      '15 2 * * *',
      'Australia/Lord_Howe',
      '2026-10-02T16:00:00Z',
      2,
      ['2026-10-03T15:30:00.000Z', '2026-10-04T15:15:00.000Z'],
    ],
    [
      '0 0 * * *',
      'America/Santiago',
      '2026-09-05T12:00:00Z',
      2,
      ['2026-09-06T04:00:00.000Z', '2026-09-07T03:00:00.000Z'],
    ],
    // Fall back: a repeated local time fires once, at its first occurrence.
    [
      '30 2 * * *',
      'Europe/Berlin',
      '2026-10-24T12:00:00Z',
      2,
      ['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z'],
    ],
    [
      '30 1 * * *',
      'America/New_York',
      '2026-10-31T12:00:00Z',
      2,
      ['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z'],
    ],
    [
      '45 1 * * *',
      'Australia/Lord_Howe',
      '2026-04-04T00:00:00Z',
      2,
      ['2026-04-04T14:45:00.000Z', '2026-04-05T15:15:00.000Z'],
    ],
    // Interval schedules keep their real spacing in UTC across both changes.
    [
      '*/15 * * * *',
      'Europe/Berlin',
      '2026-03-29T00:30:00Z',
      3,
      ['2026-03-29T00:45:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-29T01:15:00.000Z'],
    ],
    [
      '*/15 * * * *',
      'Europe/Berlin',
      '2026-10-25T00:30:00Z',
      6,
      [
        '2026-10-25T00:45:00.000Z',
        '2026-10-25T01:00:00.000Z',
        '2026-10-25T01:15:00.000Z',
        '2026-10-25T01:30:00.000Z',
        '2026-10-25T01:45:00.000Z',
        '2026-10-25T02:00:00.000Z',
      ],
    ],
    [
      '*/15 * * * *',
      'Australia/Lord_Howe',
      '2026-04-04T14:30:00Z',
      4,
      [
        '2026-04-04T14:45:00.000Z',
        '2026-04-04T15:00:00.000Z',
        '2026-04-04T15:15:00.000Z',
        '2026-04-04T15:30:00.000Z',
      ],
    ],
    [
      '*/15 * * * *',
      'Australia/Lord_Howe',
      '2026-10-03T15:15:00Z',
      3,
      ['2026-10-03T15:30:00.000Z', '2026-10-03T15:45:00.000Z', '2026-10-03T16:00:00.000Z'],
    ],
    [
      '@hourly',
      'America/New_York',
      '2026-11-01T04:30:00Z',
      3,
      ['2026-11-01T05:00:00.000Z', '2026-11-01T06:00:00.000Z', '2026-11-01T07:00:00.000Z'],
    ],
    [
      '30 * * * *',
      'Europe/Berlin',
      '2026-03-29T00:00:00Z',
      2,
      ['2026-03-29T00:30:00.000Z', '2026-03-29T01:30:00.000Z'],
    ],
  ])(
    'applies the DST rules to %s in %s after %s',
    (expression, timezone, after, count, expected) => {
      // Prepare
      const schedule = parseCronSchedule(expression, { timezone });

      // Act
      const fires = schedule.next(new Date(after), count);

      // Assess
      expect(iso(fires)).toEqual(expected);
    },
  );

  it('fires a daily wall-clock schedule once on every local day of a year with two changes', () => {
    // Prepare
    const schedule = parseCronSchedule('30 2 * * *', { timezone: 'Europe/Berlin' });

    // Act
    const fires = schedule.between(
      Date.parse('2026-01-01T00:00:00Z'),
      Date.parse('2027-01-01T00:00:00Z'),
    );

    // Assess: one fire per day of 2026, none twice on the fall-back day
    expect(fires).toHaveLength(365);
    const days = fires.map((d) =>
      new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(d),
    );
    expect(new Set(days).size).toBe(365);
  });

  it.each([
    // [expression, zone, after, raw cron-parser, ours]
    [
      '30 2 * * *',
      'Europe/Berlin',
      '2026-03-28T12:00:00Z',
      '2026-03-29T01:30:00.000Z',
      '2026-03-29T01:00:00.000Z',
    ],
    [
      '*/15 * * * *',
      'Australia/Lord_Howe',
      '2026-04-04T14:45:00Z',
      '2026-04-04T15:30:00.000Z',
      '2026-04-04T15:00:00.000Z',
    ],
    [
      '15 2 * * *',
      'Australia/Lord_Howe',
      '2026-10-02T16:00:00Z',
      '2026-10-04T15:15:00.000Z',
      '2026-10-03T15:30:00.000Z',
    ],
  ])('corrects raw cron-parser for %s in %s after %s', (expression, tz, after, rawNext, ours) => {
    // Prepare: raw cron-parser's answer is asserted too, so that an upstream change shows up here
    const raw = CronExpressionParser.parse(expression, { tz, currentDate: new Date(after) });
    const schedule = parseCronSchedule(expression, { timezone: tz });

    // Act
    const fires = schedule.next(new Date(after), 1);

    // Assess
    expect(raw.next().toISOString()).toBe(rawNext);
    expect(iso(fires)).toEqual([ours]);
  });

  it('returns fire times strictly after the given instant', () => {
    // Prepare
    const schedule = parseCronSchedule('0 * * * *');

    // Act
    const fires = schedule.next(Date.parse('2026-01-01T10:00:00Z'), 1);

    // Assess
    expect(iso(fires)).toEqual(['2026-01-01T11:00:00.000Z']);
  });

  it('returns the fire times of a half-open interval, start exclusive, end inclusive', () => {
    // Prepare
    const schedule = parseCronSchedule('0 * * * *');

    // Act
    const fires = schedule.between(
      new Date('2026-01-01T10:00:00Z'),
      new Date('2026-01-01T12:00:00Z'),
    );

    // Assess
    expect(iso(fires)).toEqual(['2026-01-01T11:00:00.000Z', '2026-01-01T12:00:00.000Z']);
  });

  it('returns no fire times for an empty interval', () => {
    // Prepare
    const schedule = parseCronSchedule('* * * * *');

    // Act
    const fires = schedule.between(
      Date.parse('2026-01-01T12:00:00Z'),
      Date.parse('2026-01-01T11:00:00Z'),
    );

    // Assess
    expect(fires).toEqual([]);
  });

  it('exposes the expression, the canonical zone name and the cadence', () => {
    // Act
    const schedule = parseCronSchedule('*/5 9-17 * * *', { timezone: 'europe/berlin' });
    const daily = parseCronSchedule('@daily');

    // Assess
    expect(schedule).toMatchObject({
      expression: '*/5 9-17 * * *',
      timezone: 'Europe/Berlin',
      cadence: 'interval',
    });
    expect(daily).toMatchObject({ expression: '@daily', timezone: 'UTC', cadence: 'wall-clock' });
  });

  it.each([
    ['after', () => parseCronSchedule('* * * * *').next(new Date('nope'), 1)],
    ['count', () => parseCronSchedule('* * * * *').next(0, -1)],
    ['to', () => parseCronSchedule('* * * * *').between(0, Number.NaN)],
  ])('names the %s argument when it is invalid', (field, act) => {
    // Act + Assess
    expect(act).toThrow(ValidationError);
    expect(act).toThrow(new RegExp(`^${field}: `));
  });
});
