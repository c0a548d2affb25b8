import { type CronExpression, CronExpressionParser } from 'cron-parser';
import { BucketflowError, ValidationError } from '../errors.js';
import { type Cadence, parseCronFields } from './cron-fields.js';
import { InvalidCronExpressionError } from './errors.js';
import { type TimeZone, timeZone } from './time-zone.js';

/** An instant: a `Date` or epoch milliseconds. */
export type Instant = Date | number;

/**
 * A validated cron expression bound to a time zone. Fire times are instants;
 * the expression is matched against the zone's local wall-clock time.
 *
 * Daylight-saving rules (the zone's clock jumps):
 * - `wall-clock` schedules (explicit minute and hour, e.g. `30 2 * * *`) fire
 *   once per matching local time. A local time skipped by a spring-forward
 *   change fires once, at the first instant after the gap (03:00 local in
 *   Berlin); several skipped times fire once together. A local time that
 *   occurs twice (fall-back) fires at its first occurrence only.
 * - `interval` schedules (minute or hour field written with `*`, e.g.
 *   `*\/15 * * * *`, `@hourly`) follow real elapsed time, as Vixie cron's
 *   wildcard jobs do: local times inside a spring-forward gap do not exist
 *   and do not fire, and a repeated local hour fires through both of its
 *   occurrences, so the spacing in UTC stays regular.
 *
 * Intervals are half-open, `(from, to]`: the start is exclusive, the end
 * inclusive, so that consecutive intervals never fire a time twice.
 */
export interface CronSchedule {
  /** As the user wrote it. */
  readonly expression: string;
  /** Canonical IANA zone name. */
  readonly timezone: string;
  readonly cadence: Cadence;
  /** The next `count` fire times strictly after `after`, in increasing order. */
  next(after: Instant, count?: number): Date[];
  /** Every fire time `t` with `from < t <= to`, in increasing order. */
  between(from: Instant, to: Instant): Date[];
}

export interface CronScheduleOptions {
  /** IANA time zone whose wall clock the expression follows. @default 'UTC' */
  readonly timezone?: string;
}

/** Bound on boundary crossings in one look-up; a year has at most a few. */
const MAX_HOPS = 10_000;

/**
 * Validates a 5-field cron expression (or a macro such as `@daily`) and a
 * time zone, and returns a {@link CronSchedule}.
 *
 * @throws {InvalidCronExpressionError} naming the field at fault.
 * @throws {InvalidTimeZoneError} when the zone is unknown.
 * @example
 * ```ts
 * const schedule = parseCronSchedule('30 2 * * *', { timezone: 'Europe/Berlin' });
 * schedule.next(new Date('2026-03-28T12:00:00Z'), 1); // [2026-03-29T01:00:00.000Z] (03:00 CEST)
 * ```
 */
export function parseCronSchedule(
  expression: string,
  options: CronScheduleOptions = {},
): CronSchedule {
  const fields = parseCronFields(expression);
  const zone = timeZone(options.timezone ?? 'UTC');
  let cron: CronExpression;
  try {
    // The expression runs on the zone's wall clock, which has no DST: UTC stands in for it.
    cron = CronExpressionParser.parse(fields.canonical, { tz: 'UTC', currentDate: 0 });
  } catch (error) {
    throw new InvalidCronExpressionError(
      expression,
      `is not valid: ${(error as Error).message}`,
      "write 5 fields: minute hour day-of-month month day-of-week, e.g. '0 9 * * MON-FRI'",
    );
  }
  return new ZonedCronSchedule(expression, fields.cadence, zone, cron);
}

class ZonedCronSchedule implements CronSchedule {
  readonly expression: string;
  readonly timezone: string;
  readonly cadence: Cadence;
  readonly #zone: TimeZone;
  readonly #cron: CronExpression;
  #lastWall = Number.NaN;

  constructor(expression: string, cadence: Cadence, zone: TimeZone, cron: CronExpression) {
    this.expression = expression;
    this.timezone = zone.name;
    this.cadence = cadence;
    this.#zone = zone;
    this.#cron = cron;
  }

  next(after: Instant, count = 1): Date[] {
    if (!Number.isInteger(count) || count < 0) {
      throw new ValidationError('count', `must be an integer >= 0, got ${count}`, 'pass e.g. 5');
    }
    const fires: Date[] = [];
    let cursor = epochMs(after, 'after');
    while (fires.length < count) {
      cursor = this.#nextMs(cursor);
      fires.push(new Date(cursor));
    }
    return fires;
  }

  between(from: Instant, to: Instant): Date[] {
    const end = epochMs(to, 'to');
    const fires: Date[] = [];
    for (let t = this.#nextMs(epochMs(from, 'from')); t <= end; t = this.#nextMs(t)) {
      fires.push(new Date(t));
    }
    return fires;
  }

  /**
   * Walks the zone's stretches of constant offset: inside one, local time is
   * `instant + offset`, so the next matching local time maps straight back to
   * an instant; at a boundary the DST rules of {@link CronSchedule} apply.
   */
  #nextMs(after: number): number {
    let cursor = after;
    let segment = this.#zone.segmentAt(cursor + 1);
    let known: { from: number; wall: number } | undefined;
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      const { offset, offsetBefore, offsetAfter, start, end } = segment;
      let wallFrom = cursor + offset;
      if (this.cadence === 'wall-clock' && offsetBefore > offset) {
        // The clock fell back at `start`: local times up to start + offsetBefore already fired once.
        wallFrom = Math.max(wallFrom, start + offsetBefore - 1);
      }
      // The next matching local time after `known.from` is still the next one after a later bound.
      const wall =
        known && wallFrom >= known.from && known.wall > wallFrom
          ? known.wall
          : this.#nextWall(wallFrom);
      known = { from: wallFrom, wall };
      if (wall - offset < end) return wall - offset;
      if (this.cadence === 'wall-clock' && offsetAfter > offset && wall < end + offsetAfter) {
        // The matching local time falls in the spring-forward gap: fire when the gap ends.
        return end;
      }
      cursor = end - 1;
      segment = this.#zone.segmentAt(end);
    }
    throw new BucketflowError(
      `cron '${this.expression}': no fire time found after ${new Date(after).toISOString()}`,
    );
  }

  /** First local wall time (as UTC epoch ms) after `wallFrom` that matches the expression. */
  #nextWall(wallFrom: number): number {
    // Walking forward fire by fire, the iterator already stands at `wallFrom`: resetting costs as much as stepping.
    if (wallFrom !== this.#lastWall) this.#cron.reset(new Date(wallFrom));
    this.#lastWall = Number.NaN;
    const wall = this.#cron.next().getTime();
    this.#lastWall = wall;
    return wall;
  }
}

/**
 * Epoch ms of an {@link Instant}, refusing invalid dates and non-finite numbers.
 *
 * @throws {ValidationError} naming `name`.
 * @example
 * ```ts
 * epochMs(new Date('2026-01-01T00:00:00Z'), 'now'); // 1767225600000
 * ```
 */
export function epochMs(value: Instant, name: string): number {
  const ms = value instanceof Date ? value.getTime() : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new ValidationError(name, 'is not a valid instant', 'pass a Date or epoch milliseconds');
  }
  return ms;
}
