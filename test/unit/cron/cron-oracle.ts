import fc from 'fast-check';

/** A generated expression together with the values each field stands for. */
export interface GeneratedCron {
  readonly expression: string;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly days: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  /** 0 = Sunday; 7 is folded into 0. */
  readonly weekdays: ReadonlySet<number>;
  readonly daysRestricted: boolean;
  readonly weekdaysRestricted: boolean;
  readonly interval: boolean;
}

interface Field {
  readonly text: string;
  readonly values: ReadonlySet<number>;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function range(low: number, high: number, step = 1): number[] {
  const values: number[] = [];
  for (let v = low; v <= high; v += step) values.push(v);
  return values;
}

interface FieldOptions {
  readonly names?: readonly string[];
  /** Value of the first name. */
  readonly nameBase?: number;
  /** Listed values are drawn from [min, high]; `*` still means [min, max]. */
  readonly high?: number;
}

/** One field: `*`, `*\/n`, or a list of values, ranges and stepped ranges (names optional). */
function field(min: number, max: number, { names, nameBase = 0, high }: FieldOptions = {}) {
  const token = (v: number, named: boolean) =>
    named && names && v - nameBase < names.length ? (names[v - nameBase] ?? String(v)) : String(v);
  const value = fc.integer({ min, max: high ?? max });
  const item = fc.oneof(
    fc.tuple(value, fc.boolean()).map(([v, named]) => ({ text: token(v, named), values: [v] })),
    fc
      .tuple(value, value, fc.integer({ min: 1, max: max - min }), fc.boolean(), fc.boolean())
      .map(([a, b, step, stepped, named]) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const text = `${token(lo, named)}-${token(hi, named)}${stepped ? `/${step}` : ''}`;
        return { text, values: range(lo, hi, stepped ? step : 1) };
      }),
  );
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant<Field>({ text: '*', values: new Set(range(min, max)) }) },
    fc
      .integer({ min: 1, max: max - min })
      .map((step): Field => ({ text: `*/${step}`, values: new Set(range(min, max, step)) })),
    {
      weight: 3,
      arbitrary: fc.array(item, { minLength: 1, maxLength: 3 }).map(
        (items): Field => ({
          text: items.map((i) => i.text).join(','),
          values: new Set(items.flatMap((i) => i.values)),
        }),
      ),
    },
  );
}

const MINUTE = 60_000;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Valid 5-field expressions. Hours lean towards 0-3 so that DST changes
 * (around 02:00 in most zones, midnight in some) are exercised often.
 */
export const cronExpression: fc.Arbitrary<GeneratedCron> = fc
  .record({
    minute: field(0, 59),
    hour: fc.oneof(field(0, 23), field(0, 23, { high: 3 })),
    day: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, field(1, 31)),
    month: fc.oneof(
      { weight: 3, arbitrary: fc.constant(undefined) },
      field(1, 12, { names: MONTHS, nameBase: 1 }),
    ),
    weekday: fc.oneof(
      { weight: 2, arbitrary: fc.constant(undefined) },
      field(0, 7, { names: WEEKDAYS }),
    ),
  })
  .map(({ minute, hour, day, month, weekday }) => {
    const star: Field = { text: '*', values: new Set() };
    const [d, m, w] = [day ?? star, month ?? star, weekday ?? star];
    return {
      expression: [minute.text, hour.text, d.text, m.text, w.text].join(' '),
      minutes: minute.values,
      hours: hour.values,
      days: d.text === '*' ? new Set(range(1, 31)) : d.values,
      months: m.text === '*' ? new Set(range(1, 12)) : m.values,
      weekdays: new Set([...(w.text === '*' ? range(0, 6) : w.values)].map((v) => v % 7)),
      daysRestricted: d.text !== '*',
      weekdaysRestricted: w.text !== '*',
      interval: minute.text.startsWith('*') || hour.text.startsWith('*'),
    };
  })
  .filter((cron) => {
    // The validator refuses a day-of-month that no listed month has.
    if (!cron.daysRestricted || cron.weekdaysRestricted) return true;
    return [...cron.months].some((m) =>
      [...cron.days].some((d) => d <= (DAYS_IN_MONTH[m - 1] ?? 0)),
    );
  });

export interface LocalTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly weekday: number;
  /** The wall time as if it were UTC, in ms: comparable and subtractable. */
  readonly wallMs: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();
const memo = new Map<string, LocalTime>();

/** Local wall time of an instant, straight from Intl (independent of the code under test). */
export function localTime(instant: number, zone: string): LocalTime {
  const key = `${zone} ${instant}`;
  const known = memo.get(key);
  if (known) return known;
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formats.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, p.value]));
  const [year, month, day, hour, minute] = ['year', 'month', 'day', 'hour', 'minute'].map((k) =>
    Number(parts[k]),
  ) as [number, number, number, number, number];
  const wallMs = Date.UTC(year, month - 1, day, hour, minute);
  const local = { year, month, day, hour, minute, weekday: new Date(wallMs).getUTCDay(), wallMs };
  if (instant % MINUTE === 0) memo.set(key, local);
  return local;
}

/** Whether a local wall time satisfies the expression (POSIX day rule: restricted day fields OR). */
export function matches(cron: GeneratedCron, wallMs: number): boolean {
  const t = new Date(wallMs);
  if (!cron.minutes.has(t.getUTCMinutes()) || !cron.hours.has(t.getUTCHours())) return false;
  if (!cron.months.has(t.getUTCMonth() + 1)) return false;
  const day = cron.days.has(t.getUTCDate());
  const weekday = cron.weekdays.has(t.getUTCDay());
  if (cron.daysRestricted && cron.weekdaysRestricted) return day || weekday;
  return day && weekday;
}

/**
 * Fire times in (from, to] by brute force, one minute at a time, from the
 * rules as stated: interval schedules fire whenever the local time matches;
 * wall-clock schedules fire at the first occurrence of a matching local time,
 * and once at the end of a spring-forward gap that swallowed a matching time.
 * `from` and `to` are whole minutes.
 */
export function bruteForceFires(cron: GeneratedCron, zone: string, from: number, to: number) {
  const seen = new Set<number>();
  for (let t = from - 26 * 60 * MINUTE; t <= from; t += MINUTE) seen.add(localTime(t, zone).wallMs);
  const fires: number[] = [];
  let previous = localTime(from, zone).wallMs;
  for (let t = from + MINUTE; t <= to; t += MINUTE) {
    const wall = localTime(t, zone).wallMs;
    if (cron.interval) {
      if (matches(cron, wall)) fires.push(t);
    } else {
      let fire = matches(cron, wall) && !seen.has(wall);
      for (let skipped = previous + MINUTE; skipped < wall; skipped += MINUTE) {
        fire ||= matches(cron, skipped);
      }
      if (fire) fires.push(t);
    }
    seen.add(wall);
    previous = wall;
  }
  return fires;
}
