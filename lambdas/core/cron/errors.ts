import { ValidationError } from '../errors.js';

/** The five fields of a cron expression, in order. */
export type CronFieldName = 'minute' | 'hour' | 'day-of-month' | 'month' | 'day-of-week';

/**
 * A cron expression is not a valid 5-field expression. `cronField` names the
 * offending field when one field is to blame.
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
 */
export class InvalidTimeZoneError extends ValidationError {
  readonly timezone: string;

  constructor(timezone: string) {
    super(`timezone '${timezone}'`, 'not an IANA time zone', "e.g. 'Europe/Berlin', 'UTC'");
    this.timezone = timezone;
  }
}
