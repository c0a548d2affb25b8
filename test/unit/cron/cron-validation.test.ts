import { describe, expect, it } from 'vitest';
import { parseCronFields } from '../../../lambdas/core/cron/cron-fields.js';
import { parseCronSchedule } from '../../../lambdas/core/cron/cron-schedule.js';
import {
  InvalidCronExpressionError,
  InvalidTimeZoneError,
} from '../../../lambdas/core/cron/errors.js';
import { ValidationError } from '../../../lambdas/core/errors.js';

function errorOf(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('parseCronSchedule validation', () => {
  it.each([
    [
      '61 * * * *',
      'minute',
      "cron '61 * * * *': minute field '61' is out of range 0-59 (use values 0-59 in the minute field)",
    ],
    [
      '5,61 * * * *',
      'minute',
      "cron '5,61 * * * *': minute field '5,61': 61 is out of range 0-59 (use values 0-59 in the minute field)",
    ],
    [
      '0 24 * * *',
      'hour',
      "cron '0 24 * * *': hour field '24' is out of range 0-23 (use values 0-23 in the hour field)",
    ],
    [
      '0 0 0 * *',
      'day-of-month',
      "cron '0 0 0 * *': day-of-month field '0' is out of range 1-31 (use values 1-31 in the day-of-month field)",
    ],
    [
      '0 0 * 13 *',
      'month',
      "cron '0 0 * 13 *': month field '13' is out of range 1-12 (use values 1-12 or JAN-DEC in the month field)",
    ],
    [
      '0 0 * * 8',
      'day-of-week',
      "cron '0 0 * * 8': day-of-week field '8' is out of range 0-7 (use values 0-7 (0 and 7 are Sunday) or SUN-SAT in the day-of-week field)",
    ],
    [
      '0 0 * FOO *',
      'month',
      "cron '0 0 * FOO *': month field 'FOO': 'FOO' is not a number or a name (use values 1-12 or JAN-DEC in the month field)",
    ],
    [
      'x * * * *',
      'minute',
      "cron 'x * * * *': minute field 'x': 'x' is not a number (use values 0-59 in the minute field)",
    ],
    [
      '0 17-9 * * *',
      'hour',
      "cron '0 17-9 * * *': hour field '17-9': range 17-9 runs backwards (write the lower bound first; to wrap around use '17-23,0-9')",
    ],
    [
      '0 0 * * FRI-MON',
      'day-of-week',
      "cron '0 0 * * FRI-MON': day-of-week field 'FRI-MON': range FRI-MON runs backwards (write the lower bound first; to wrap around use 'FRI-SAT,SUN-MON')",
    ],
    [
      '*/0 * * * *',
      'minute',
      "cron '*/0 * * * *': minute field '*/0': step 0 is out of range 1-59 (use a step between 1 and 59)",
    ],
    [
      '0 */24 * * *',
      'hour',
      "cron '0 */24 * * *': hour field '*/24': step 24 is out of range 1-23 (use a step between 1 and 23)",
    ],
    [
      '1,,2 * * * *',
      'minute',
      "cron '1,,2 * * * *': minute field '1,,2' has an empty list item (use values 0-59, '*', ranges a-b, steps /n and lists a,b)",
    ],
    [
      '? * * * *',
      'minute',
      "cron '? * * * *': minute field '?': '?' is only allowed in the day fields (use '*')",
    ],
    [
      '0 0 L * *',
      'day-of-month',
      "cron '0 0 L * *': day-of-month field 'L' uses a non-standard extension ('L') (use values 1-31 in the day-of-month field)",
    ],
    [
      '0 0 * * 1#2',
      'day-of-week',
      "cron '0 0 * * 1#2': day-of-week field '1#2' uses a non-standard extension ('1#2') (use values 0-7 (0 and 7 are Sunday) or SUN-SAT, '*', ranges a-b, steps /n and lists a,b)",
    ],
    [
      'H * * * *',
      'minute',
      "cron 'H * * * *': minute field 'H' uses a non-standard extension ('H') (use values 0-59 in the minute field)",
    ],
    [
      '0 0 30 2 *',
      'day-of-month',
      "cron '0 0 30 2 *': day-of-month field '30' never occurs in month field '2' (fix the day-of-month or the month field)",
    ],
    [
      '0 0 31 APR,JUN *',
      'day-of-month',
      "cron '0 0 31 APR,JUN *': day-of-month field '31' never occurs in month field 'APR,JUN' (fix the day-of-month or the month field)",
    ],
  ])('rejects %s naming the %s field', (expression, field, message) => {
    // Act
    const error = errorOf(() => parseCronSchedule(expression));

    // Assess
    expect(error).toBeInstanceOf(InvalidCronExpressionError);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as InvalidCronExpressionError).cronField).toBe(field);
    expect((error as Error).message).toBe(message);
  });

  it.each([
    [
      '',
      "cron '': is empty (write 5 fields: minute hour day-of-month month day-of-week, e.g. '0 9 * * MON-FRI')",
    ],
    [
      '0 0 9 * * *',
      "cron '0 0 9 * * *': has 6 fields; a seconds or year field is not supported (write 5 fields: minute hour day-of-month month day-of-week, e.g. '0 9 * * MON-FRI')",
    ],
    [
      '0 0 9 * * * 2026',
      "cron '0 0 9 * * * 2026': has 7 fields; seconds and year fields are not supported (write 5 fields: minute hour day-of-month month day-of-week, e.g. '0 9 * * MON-FRI')",
    ],
    [
      '0 9 *',
      "cron '0 9 *': has 3 field(s), expected 5 (write 5 fields: minute hour day-of-month month day-of-week, e.g. '0 9 * * MON-FRI')",
    ],
    [
      '@reboot',
      "cron '@reboot': is not a supported macro (use one of @yearly @annually @monthly @weekly @daily @midnight @hourly)",
    ],
  ])('rejects %j as a whole', (expression, message) => {
    // Act
    const error = errorOf(() => parseCronSchedule(expression));

    // Assess
    expect(error).toBeInstanceOf(InvalidCronExpressionError);
    expect((error as InvalidCronExpressionError).cronField).toBeUndefined();
    expect((error as Error).message).toBe(message);
  });

  it.each(['Europe/Berln', 'Mars/Olympus', '+02:00', ''])('rejects the time zone %j', (zone) => {
    // Act
    const error = errorOf(() => parseCronSchedule('0 * * * *', { timezone: zone }));

    // Assess
    expect(error).toBeInstanceOf(InvalidTimeZoneError);
    expect((error as Error).message).toBe(
      `timezone '${zone}': not an IANA time zone (e.g. 'Europe/Berlin', 'UTC')`,
    );
  });

  it.each([
    ['@yearly', '0 0 1 1 *', 'wall-clock'],
    ['@annually', '0 0 1 1 *', 'wall-clock'],
    ['@monthly', '0 0 1 * *', 'wall-clock'],
    ['@weekly', '0 0 * * 0', 'wall-clock'],
    ['@daily', '0 0 * * *', 'wall-clock'],
    ['@midnight', '0 0 * * *', 'wall-clock'],
    ['@hourly', '0 * * * *', 'interval'],
    ['  */15   9-17 * *   mon-fri ', '*/15 9-17 * * mon-fri', 'interval'],
    ['0 */2 ? JAN-MAR/2 *', '0 */2 ? JAN-MAR/2 *', 'interval'],
    ['30 2 * * *', '30 2 * * *', 'wall-clock'],
  ])('accepts %j as %j (%s)', (expression, normalized, cadence) => {
    // Act
    const fields = parseCronFields(expression);

    // Assess
    expect(fields).toMatchObject({ expression, normalized, cadence });
  });
});
