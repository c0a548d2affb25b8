import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidTimeZoneError } from '../../../lambdas/core/cron/errors.js';
import { timeZone } from '../../../lambdas/core/cron/time-zone.js';
import { localTime } from './cron-oracle.js';

const at = (iso: string) => Date.parse(iso);
const HOUR = 3_600_000;

describe('TimeZone', () => {
  it.each([
    [
      'Europe/Berlin',
      ['2026-03-29T01:00:00.000Z', '2026-10-25T01:00:00.000Z'],
      [HOUR, 2 * HOUR, HOUR],
    ],
    [
      'America/New_York',
      ['2026-03-08T07:00:00.000Z', '2026-11-01T06:00:00.000Z'],
      [-5 * HOUR, -4 * HOUR, -5 * HOUR],
    ],
    [
      'Australia/Lord_Howe',
      ['2026-04-04T15:00:00.000Z', '2026-10-03T15:30:00.000Z'],
      [11 * HOUR, 10.5 * HOUR, 11 * HOUR],
    ],
    ['UTC', [], [0]],
  ])('finds the 2026 offset changes of %s to the second', (zone, instants, offsets) => {
    // Act
    const transitions = timeZone(zone).transitionsOfYear(2026);

    // Assess
    expect(transitions.map((t) => new Date(t.at).toISOString())).toEqual(instants);
    expect([transitions[0]?.offsetBefore ?? 0, ...transitions.map((t) => t.offsetAfter)]).toEqual(
      offsets,
    );
  });

  it('agrees with Intl on the local wall time of any instant', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata'),
        fc.integer({ min: at('1990-01-01T00:00:00Z'), max: at('2060-01-01T00:00:00Z') }),
        (zone, instant) => {
          // Act
          const wall = timeZone(zone).wallTime(instant);

          // Assess
          const expected = localTime(instant, zone);
          expect(wall).toMatchObject({
            year: expected.year,
            month: expected.month,
            day: expected.day,
            hour: expected.hour,
            minute: expected.minute,
          });
          expect(timeZone(zone).segmentAt(instant).offset).toBe(wall.offsetMs);
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each([
    ['an ordinary local time', '2026-07-01T12:00:00Z', '2026-07-01T10:00:00.000Z'],
    [
      'a time skipped by spring forward, as the end of the gap',
      '2026-03-29T02:30:00Z',
      '2026-03-29T01:00:00.000Z',
    ],
    [
      'a repeated time, as its first occurrence',
      '2026-10-25T02:30:00Z',
      '2026-10-25T00:30:00.000Z',
    ],
  ])('maps %s in Europe/Berlin to an instant', (_, wall, expected) => {
    // Act
    const instant = timeZone('Europe/Berlin').instantOf(at(wall));

    // Assess
    expect(new Date(instant).toISOString()).toBe(expected);
  });

  it('canonicalises zone names the way Intl does', () => {
    // Act + Assess
    expect(timeZone('europe/berlin').name).toBe('Europe/Berlin');
    expect(timeZone('utc').name).toBe('UTC');
  });

  it.each(['Europe/Berln', '+01:00', 'GMT+2:00', ''])('rejects %j', (zone) => {
    // Act + Assess
    expect(() => timeZone(zone)).toThrow(InvalidTimeZoneError);
  });
});
