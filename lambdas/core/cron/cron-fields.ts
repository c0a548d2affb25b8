import { type CronFieldName, InvalidCronExpressionError } from './errors.js';

/**
 * How a schedule behaves when the zone's clock jumps (see `cron-schedule.ts`):
 * `interval` schedules (minute or hour field written with `*`, e.g.
 * `*\/15 * * * *`, `0 * * * *`) follow real elapsed time; `wall-clock`
 * schedules (explicit minute and hour, e.g. `30 2 * * *`) fire once per
 * matching local time.
 */
export type Cadence = 'interval' | 'wall-clock';

/** A validated 5-field expression. */
export interface CronFields {
  /** As the user wrote it. */
  readonly expression: string;
  /** Five space-separated fields as written, macros expanded. */
  readonly normalized: string;
  /**
   * The same schedule with every restricted field as a sorted list of numbers
   * (`*` kept as is): what the evaluator parses. cron-parser refuses repeated
   * values (`1,1`, `0-10,5`) that standard cron accepts.
   */
  readonly canonical: string;
  readonly cadence: Cadence;
}

interface FieldSpec {
  readonly name: CronFieldName;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  readonly hint: string;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59, hint: 'values 0-59' },
  { name: 'hour', min: 0, max: 23, hint: 'values 0-23' },
  { name: 'day-of-month', min: 1, max: 31, hint: 'values 1-31' },
  { name: 'month', min: 1, max: 12, names: MONTHS, hint: 'values 1-12 or JAN-DEC' },
  {
    name: 'day-of-week',
    min: 0,
    max: 7,
    names: WEEKDAYS,
    hint: 'values 0-7 (0 and 7 are Sunday) or SUN-SAT',
  },
];

/** The macros bucketflow accepts and their 5-field equivalents. */
export const CRON_MACROS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const SHAPE = "write 5 fields: minute hour day-of-month month day-of-week, e.g. '0 9 * * MON-FRI'";
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Validates a standard 5-field cron expression (numbers, month and weekday
 * names, `*`, ranges, steps, lists; `?` as `*` in the day fields) or one of
 * {@link CRON_MACROS}. Non-standard extensions (`L`, `W`, `#`, `H`) and
 * seconds or year fields are refused.
 *
 * @throws {InvalidCronExpressionError} naming the field at fault.
 * @example
 * ```ts
 * parseCronFields('@hourly'); // { normalized: '0 * * * *', cadence: 'interval', ... }
 * ```
 */
export function parseCronFields(expression: string): CronFields {
  const trimmed = expression.trim();
  const fail = (problem: string, fix: string, field?: CronFieldName): never => {
    throw new InvalidCronExpressionError(expression, problem, fix, field);
  };
  if (trimmed === '') fail('is empty', SHAPE);
  let normalized = trimmed;
  if (trimmed.startsWith('@')) {
    const macro = CRON_MACROS[trimmed.toLowerCase()];
    if (!macro)
      fail('is not a supported macro', `use one of ${Object.keys(CRON_MACROS).join(' ')}`);
    normalized = macro ?? '';
  }
  const texts = normalized.split(/\s+/);
  if (texts.length === 6 || texts.length === 7) {
    const extra =
      texts.length === 6
        ? 'a seconds or year field is not supported'
        : 'seconds and year fields are not supported';
    fail(`has ${texts.length} fields; ${extra}`, SHAPE);
  }
  if (texts.length !== 5) fail(`has ${texts.length} field(s), expected 5`, SHAPE);
  const values = FIELDS.map((spec, i) => parseField(spec, texts[i] ?? '', fail));
  const [minute = '', hour = '', dayOfMonth = '', , dayOfWeek = ''] = texts;
  if (!isStar(dayOfMonth) && isStar(dayOfWeek)) checkDayExists(values[2], values[3], texts, fail);
  const canonical = FIELDS.map((spec, i) => canonicalField(spec, texts[i] ?? '', values[i]));
  return {
    expression,
    normalized: texts.join(' '),
    canonical: canonical.join(' '),
    cadence: minute.startsWith('*') || hour.startsWith('*') ? 'interval' : 'wall-clock',
  };
}

type Fail = (problem: string, fix: string, field?: CronFieldName) => never;

function parseField(spec: FieldSpec, text: string, fail: Fail): Set<number> {
  const dayField = spec.name === 'day-of-month' || spec.name === 'day-of-week';
  const where = `${spec.name} field '${text}'`;
  const values = new Set<number>();
  if (text === '?') {
    if (!dayField) fail(`${where}: '?' is only allowed in the day fields`, `use '*'`, spec.name);
    for (let v = spec.min; v <= spec.max; v++) values.add(v);
    return values;
  }
  for (const item of text.split(',')) {
    const match = /^(\*|[0-9A-Za-z]+(?:-[0-9A-Za-z]+)?)(?:\/([0-9]+))?$/.exec(item);
    if (!match) {
      const what =
        item === ''
          ? 'has an empty list item'
          : /#|^H/i.test(item)
            ? `uses a non-standard extension ('${item}')`
            : `has '${item}', which is not valid`;
      fail(
        `${where} ${what}`,
        `use ${spec.hint}, '*', ranges a-b, steps /n and lists a,b`,
        spec.name,
      );
    }
    const [, base = '', stepText] = match ?? [];
    const [lowText = '', highText] = base === '*' ? [] : base.split('-');
    const low = base === '*' ? spec.min : value(spec, lowText, where, text, fail);
    let high = base === '*' ? spec.max : value(spec, highText ?? lowText, where, text, fail);
    if (stepText !== undefined && highText === undefined) high = spec.max;
    if (low > high) {
      const named = spec.names !== undefined && !/^[0-9]/.test(lowText);
      const top = named ? spec.names?.at(-1) : spec.name === 'day-of-week' ? 6 : spec.max;
      const wrap = `${lowText}-${top},${named ? spec.names?.[0] : spec.min}-${highText}`;
      fail(
        `${where}: range ${base} runs backwards`,
        `write the lower bound first; to wrap around use '${wrap}'`,
        spec.name,
      );
    }
    const step = stepText === undefined ? 1 : Number(stepText);
    if (step < 1 || step > spec.max - spec.min) {
      fail(
        `${where}: step ${stepText} is out of range 1-${spec.max - spec.min}`,
        `use a step between 1 and ${spec.max - spec.min}`,
        spec.name,
      );
    }
    for (let v = low; v <= high; v += step) values.add(v);
  }
  return values;
}

function canonicalField(spec: FieldSpec, text: string, values: Set<number> = new Set()): string {
  const dayField = spec.name === 'day-of-month' || spec.name === 'day-of-week';
  // A day field's `*` is not the same as listing every day (POSIX day rule), so only text decides.
  if (isStar(text) || (!dayField && values.size === spec.max - spec.min + 1)) return '*';
  const folded = spec.name === 'day-of-week' ? [...values].map((day) => day % 7) : [...values];
  return [...new Set(folded)].sort((a, b) => a - b).join(',');
}

function value(spec: FieldSpec, token: string, where: string, text: string, fail: Fail): number {
  if (/^[0-9]+$/.test(token)) {
    const number = Number(token);
    if (number < spec.min || number > spec.max) {
      const problem =
        token === text
          ? `${where} is out of range ${spec.min}-${spec.max}`
          : `${where}: ${token} is out of range ${spec.min}-${spec.max}`;
      fail(problem, `use ${spec.hint} in the ${spec.name} field`, spec.name);
    }
    return number;
  }
  const index = spec.names?.indexOf(token.toUpperCase()) ?? -1;
  if (index >= 0) return index + (spec.name === 'month' ? 1 : 0);
  const extension = /^([0-9]*[LW]+|H)$/i.test(token) || text.includes('#');
  const problem = extension
    ? `${where} uses a non-standard extension ('${token}')`
    : `${where}: '${token}' is not ${spec.names ? 'a number or a name' : 'a number'}`;
  return fail(problem, `use ${spec.hint} in the ${spec.name} field`, spec.name);
}

function checkDayExists(
  days: Set<number> | undefined,
  months: Set<number> | undefined,
  texts: readonly string[],
  fail: Fail,
): void {
  for (const month of months ?? []) {
    for (const day of days ?? []) if (day <= (DAYS_IN_MONTH[month - 1] ?? 0)) return;
  }
  fail(
    `day-of-month field '${texts[2]}' never occurs in month field '${texts[3]}'`,
    'fix the day-of-month or the month field',
    'day-of-month',
  );
}

function isStar(text: string): boolean {
  return text === '*' || text === '?';
}
