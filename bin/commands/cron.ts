import type { Command } from 'commander';
import { type CronSchedule, parseCronSchedule } from '../../lambdas/core/cron/cron-schedule.js';
import { type TimeZone, timeZone } from '../../lambdas/core/cron/time-zone.js';
import { ValidationError } from '../../lambdas/core/errors.js';
import { action, parseIntegerOption, printJson } from './cli-io.js';

interface NextOptions {
  tz: string;
  from?: string;
  count: number;
  json?: boolean;
}

const DEFAULT_COUNT = 5;
/** More than this is a listing, not a preview; `between` in code serves that. */
const MAX_COUNT = 10_000;

const CRON_HELP = `
Expression: minute hour day-of-month month day-of-week, e.g. '*/15 9-17 * * MON-FRI'
  numbers, names (JAN-DEC, SUN-SAT; 0 and 7 are Sunday), *, ranges a-b, steps /n,
  lists a,b; when both day fields are restricted, a day matching either fires.
  Macros: @yearly @annually @monthly @weekly @daily @midnight @hourly.

Daylight saving time, in --tz:
  explicit minute and hour ('30 2 * * *'): a local time skipped by the clock
    jumping forward fires once when the jump ends (03:00); a local time that
    occurs twice fires the first time only.
  minute or hour written with * ('*/15 * * * *', '0 * * * *'): fires by real
    elapsed time - skipped local times do not fire, a repeated hour fires twice.

Examples:
  $ bucketflow cron next '30 2 * * *' --tz Europe/Berlin --from 2026-03-27T00:00:00Z --count 3
  $ bucketflow cron next '@daily' --tz America/New_York --from 2026-11-01 --json`;

/**
 * Registers `bucketflow cron next`, which previews the fire times of a cron
 * schedule in a time zone.
 *
 * @example
 * ```ts
 * registerCronCommand(new Command('bucketflow'));
 * ```
 */
export function registerCronCommand(program: Command): void {
  const cron = program
    .command('cron')
    .description('cron schedules: 5-field expressions in an IANA time zone');
  cron
    .command('next')
    .description('print the next fire times of a cron expression (UTC instant and local time)')
    .argument('<expression...>', "cron expression as ONE quoted argument, e.g. '*/15 * * * *'")
    .option('--tz <zone>', 'IANA time zone the expression follows', 'UTC')
    .option(
      '--from <iso>',
      'list fire times strictly after this ISO-8601 instant (default: now); without an offset\n' +
        "it is local time in --tz, e.g. '2026-03-29T00:00' or '2026-03-29'",
    )
    .option(
      '--count <n>',
      `how many fire times (at most ${MAX_COUNT})`,
      parseIntegerOption('--count', 1),
      DEFAULT_COUNT,
    )
    .option('--json', 'print a JSON array of ISO-8601 UTC instants instead')
    .addHelpText('after', CRON_HELP)
    .action(
      action((words: string[], options: NextOptions) => {
        if (words.length > 1) {
          // Unquoted, the shell splits the expression and expands every * into file names.
          throw new ValidationError(
            'cron',
            `expected the expression as one argument, got ${words.length}`,
            "quote it: bucketflow cron next '*/15 * * * *'",
          );
        }
        if (options.count > MAX_COUNT) {
          throw new ValidationError(
            '--count',
            `must be at most ${MAX_COUNT}, got ${options.count}`,
          );
        }
        const schedule = parseCronSchedule(words[0] ?? '', { timezone: options.tz });
        const zone = timeZone(schedule.timezone);
        const from = options.from === undefined ? Date.now() : parseFromOption(options.from, zone);
        const fires = schedule.next(from, options.count);
        if (options.json) printJson(fires.map((fire) => fire.toISOString()));
        else process.stdout.write(formatFires(fires, schedule, zone));
      }),
    );
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** An ISO-8601 instant; without an offset, a local time in `zone`. */
function parseFromOption(raw: string, zone: TimeZone): number {
  const match = ISO.exec(raw.trim());
  const invalid = () =>
    new ValidationError(
      `--from '${raw}'`,
      'not an ISO-8601 date-time',
      `e.g. '2026-03-29T00:00:00Z'; without an offset it is local time in --tz`,
    );
  if (!match) throw invalid();
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', offset] = match;
  const fields = [y, mo, d, h, mi, s].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [year, month, day, hour, minute, second] = fields;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, Number(fraction.padEnd(3, '0').slice(0, 3)));
  const roundTrips =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second;
  if (!roundTrips) throw invalid();
  const wall = date.getTime();
  if (offset === undefined) return zone.instantOf(wall);
  if (offset.toUpperCase() === 'Z') return wall;
  const [, sign, oh = '0', om = '0'] = /^([+-])(\d{2}):?(\d{2})?$/.exec(offset) ?? [];
  const offsetMs = (Number(oh) * 60 + Number(om)) * 60_000;
  return sign === '-' ? wall + offsetMs : wall - offsetMs;
}

/** `2026-03-29T01:00:00.000Z  2026-03-29 03:00 CEST (+02:00)`, aligned. */
function formatFires(fires: readonly Date[], schedule: CronSchedule, zone: TimeZone): string {
  const abbreviate = abbreviator(schedule.timezone);
  const rows = fires.map((fire) => {
    const local = zone.wallTime(fire.getTime());
    const time = `${pad(local.hour)}:${pad(local.minute)}${local.second ? `:${pad(local.second)}` : ''}`;
    return {
      instant: fire.toISOString(),
      local: `${local.year}-${pad(local.month)}-${pad(local.day)} ${time}`,
      name: abbreviate(fire),
      offset: `(${formatOffset(local.offsetMs)})`,
    };
  });
  const nameWidth = Math.max(0, ...rows.map((row) => row.name.length));
  return rows
    .map((row) => {
      const name = nameWidth ? ` ${row.name.padEnd(nameWidth)}` : '';
      return `${row.instant}  ${row.local}${name} ${row.offset}\n`;
    })
    .join('');
}

/** The zone's usual abbreviation (CEST, EDT) when ICU has one; '' rather than `GMT+2`. */
function abbreviator(zone: string): (instant: Date) => string {
  const formats = ['en-US', 'en-GB'].map(
    (locale) => new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: 'short' }),
  );
  return (instant) => {
    for (const format of formats) {
      const name = format.formatToParts(instant).find((p) => p.type === 'timeZoneName')?.value;
      if (name && !/^(GMT|UTC)./.test(name)) return name;
    }
    return '';
  };
}

function formatOffset(offsetMs: number): string {
  const sign = offsetMs < 0 ? '-' : '+';
  const seconds = Math.abs(offsetMs) / 1000;
  const rest = seconds % 60 ? `:${pad(seconds % 60)}` : '';
  return `${sign}${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}${rest}`;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
