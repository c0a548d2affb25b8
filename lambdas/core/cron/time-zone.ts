import { InvalidTimeZoneError } from './errors.js';

/** A change of a zone's UTC offset: from `at` on, local time is `at + offsetAfter`. */
export interface OffsetTransition {
  /** Epoch ms of the first instant with the new offset. */
  readonly at: number;
  readonly offsetBefore: number;
  readonly offsetAfter: number;
}

/**
 * A stretch of time in which a zone keeps one offset. `start` and `end` are
 * transitions, or year boundaries where nothing changes (then
 * `offsetBefore`/`offsetAfter` equal `offset`).
 */
export interface OffsetSegment {
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
  readonly offset: number;
  readonly offsetBefore: number;
  readonly offsetAfter: number;
}

/** Local wall-clock fields of an instant in a zone, with the offset in force. */
export interface WallTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** Local time minus UTC, in ms. */
  readonly offsetMs: number;
}

interface YearOffsets {
  readonly startOffset: number;
  readonly transitions: readonly OffsetTransition[];
}

/**
 * Offsets are sampled this far apart when looking for transitions. The two
 * closest changes of any zone in 1970-2040 are 6.96 days apart
 * (America/Boa_Vista, October 2000), so two days cannot hide a pair.
 */
const DAY_MS = 86_400_000;
const SAMPLE_MS = 2 * DAY_MS;

/**
 * Offsets, transitions and wall times of one IANA zone, computed with `Intl`
 * (the runtime's tz database). Transitions are found per UTC year by sampling
 * the offset every two days and bisecting to the second, and memoised.
 *
 * @example
 * ```ts
 * const berlin = timeZone('Europe/Berlin');
 * berlin.offsetAt(Date.parse('2026-07-01T00:00:00Z')); // 7_200_000
 * ```
 */
export class TimeZone {
  readonly name: string;
  readonly #format: Intl.DateTimeFormat;
  readonly #years = new Map<number, YearOffsets>();

  constructor(name: string, format: Intl.DateTimeFormat) {
    this.name = name;
    this.#format = format;
  }

  /** The wall-clock fields of `instant` (epoch ms) in this zone. */
  wallTime(instant: number): WallTime {
    const parts: Record<string, string> = {};
    for (const part of this.#format.formatToParts(instant)) parts[part.type] = part.value;
    const field = (type: string) => Number(parts[type]);
    const year = field('year');
    const local = utcMs(year, field('month'), field('day'), field('hour'), field('minute'));
    const wholeSecond = instant - mod(instant, 1000);
    return {
      year,
      month: field('month'),
      day: field('day'),
      hour: field('hour'),
      minute: field('minute'),
      second: field('second'),
      offsetMs: local + field('second') * 1000 - wholeSecond,
    };
  }

  /** Local time minus UTC at `instant`, in ms. */
  offsetAt(instant: number): number {
    return this.wallTime(instant).offsetMs;
  }

  /**
   * The instant a local wall time (given as UTC epoch ms) names, by the rules
   * cron follows: a repeated time is its first occurrence, a time skipped by a
   * spring-forward change is the first instant after the gap.
   */
  instantOf(wallMs: number): number {
    const before = this.offsetAt(wallMs - DAY_MS);
    const after = this.offsetAt(wallMs + DAY_MS);
    // The larger offset names the earlier instant.
    for (const offset of before > after ? [before, after] : [after, before]) {
      if (this.offsetAt(wallMs - offset) === offset) return wallMs - offset;
    }
    let segment = this.segmentAt(wallMs - after);
    // Year boundaries end segments too; the gap ends at the next real change.
    for (let years = 0; segment.offsetAfter === segment.offset && years < 2; years++) {
      segment = this.segmentAt(segment.end);
    }
    return segment.end;
  }

  /** The stretch of constant offset that contains `instant`. */
  segmentAt(instant: number): OffsetSegment {
    const year = new Date(instant).getUTCFullYear();
    const { startOffset, transitions } = this.#year(year);
    let previous: OffsetTransition | undefined;
    let next: OffsetTransition | undefined;
    for (const transition of transitions) {
      if (transition.at <= instant) previous = transition;
      else {
        next = transition;
        break;
      }
    }
    const start = yearStart(year);
    // A transition at the very start of the year is listed with the year before.
    const atStart = this.#year(year - 1).transitions.at(-1);
    previous ??= atStart?.at === start ? atStart : undefined;
    const offset = previous?.offsetAfter ?? startOffset;
    return {
      start: previous?.at ?? start,
      offsetBefore: previous?.offsetBefore ?? offset,
      offset,
      end: next?.at ?? yearStart(year + 1),
      offsetAfter: next?.offsetAfter ?? offset,
    };
  }

  /** Transitions in (start of `year`, start of `year + 1`], UTC years. */
  transitionsOfYear(year: number): readonly OffsetTransition[] {
    return this.#year(year).transitions;
  }

  #year(year: number): YearOffsets {
    const known = this.#years.get(year);
    if (known) return known;
    const transitions: OffsetTransition[] = [];
    const end = yearStart(year + 1);
    let before = yearStart(year);
    const startOffset = this.offsetAt(before);
    let offsetBefore = startOffset;
    while (before < end) {
      const after = Math.min(before + SAMPLE_MS, end);
      const offsetAfter = this.offsetAt(after);
      if (offsetAfter !== offsetBefore) {
        transitions.push({
          at: this.#bisect(before, after, offsetBefore),
          offsetBefore,
          offsetAfter,
        });
      }
      before = after;
      offsetBefore = offsetAfter;
    }
    const offsets = { startOffset, transitions };
    this.#years.set(year, offsets);
    return offsets;
  }

  /** First whole second in (low, high] whose offset is not `offsetLow`. */
  #bisect(low: number, high: number, offsetLow: number): number {
    let lo = low;
    let hi = high;
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
      if (this.offsetAt(mid) === offsetLow) lo = mid;
      else hi = mid;
    }
    return hi;
  }
}

const zones = new Map<string, TimeZone>();

/**
 * Validates an IANA zone name and returns its (memoised) {@link TimeZone}.
 * Names are canonicalised the way `Intl` does (`utc` → `UTC`). Offsets such as
 * `+02:00` are refused: they have no DST rules and are not zone names.
 *
 * @throws {InvalidTimeZoneError} when `name` is not a zone `Intl` knows.
 * @example
 * ```ts
 * timeZone('Europe/Berlin').name; // 'Europe/Berlin'
 * ```
 */
export function timeZone(name: string): TimeZone {
  const known = zones.get(name);
  if (known) return known;
  if (!/^[A-Za-z]/.test(name)) throw new InvalidTimeZoneError(name);
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    throw new InvalidTimeZoneError(name);
  }
  const zone = new TimeZone(format.resolvedOptions().timeZone, format);
  zones.set(name, zone);
  return zone;
}

function yearStart(year: number): number {
  return utcMs(year, 1, 1, 0, 0);
}

/** Like `Date.UTC`, without its mapping of years 0-99 to 1900-1999. */
function utcMs(year: number, month: number, day: number, hour: number, minute: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, 0, 0);
  return date.getTime();
}

function mod(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor;
}
