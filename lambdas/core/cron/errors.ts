import { ValidationError } from '../errors.js';

/** The five fields of a cron expression, in order. */
export type CronFieldName = 'minute' | 'hour' | 'day-of-month' | 'month' | 'day-of-week';

/**
 * A cron expression is not a valid 5-field expression. `cronField` names the
 * offending field when one field is to blame.
 *
 * @example
 * ```ts
 * throw new InvalidCronExpressionError('61 * * * *', "minute field '61' is out of range 0-59",
 *   'use values 0-59 in the minute field', 'minute');
 * ```
 */
export class InvalidCronExpressionError extends ValidationError {
  readonly expression: string;
  readonly cronField: CronFieldName | undefined;

  constructor(expression: string, problem: string, fix: string, cronField?: CronFieldName) {
    super(`cron '${expression}'`, problem, fix);
    this.expression = expression;
    this.cronField = cronField;
  }
}

/**
 * A time zone is not an IANA zone name the runtime knows.
 *
 * @example
 * ```ts
 * throw new InvalidTimeZoneError('Europe/Berln');
 * // timezone 'Europe/Berln': not an IANA time zone (e.g. 'Europe/Berlin', 'UTC')
 * ```
 */
export class InvalidTimeZoneError extends ValidationError {
  readonly timezone: string;

  constructor(timezone: string) {
    super(`timezone '${timezone}'`, 'not an IANA time zone', "e.g. 'Europe/Berlin', 'UTC'");
    this.timezone = timezone;
  }
}
