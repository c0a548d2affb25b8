import { ValidationError } from '../errors.js';
import { type CronSchedule, epochMs, type Instant, parseCronSchedule } from './cron-schedule.js';

/**
 * What a tick does with fire times it missed (the scheduler was down, or a
 * tick ran late beyond the grace window):
 * - `all`: fire every missed time, at most `maxCount` (the most recent ones)
 *   from the last `maxWindowMs`;
 * - `latest`: fire only the most recent due time;
 * - `none`: skip missed times; only times inside the grace window fire.
 */
export type CatchUpPolicy = 'all' | 'latest' | 'none';

export const CATCH_UP_POLICIES: readonly CatchUpPolicy[] = ['all', 'latest', 'none'];

/** A fire time at most this old at tick time is on time, not missed. */
export const DEFAULT_GRACE_MS = 5 * 60_000;
/** `all` fires at most this many missed times per tick. */
export const DEFAULT_MAX_CATCH_UP_COUNT = 100;
/** `all` looks back at most this far. */
export const DEFAULT_MAX_CATCH_UP_WINDOW_MS = 24 * 60 * 60_000;

export interface DueFireTimesInput {
  readonly schedule: Pick<CronSchedule, 'between'>;
  /** When the previous tick ran (exclusive bound); absent on the first run. */
  readonly lastTickAt?: Instant | null;
  /** When this tick runs (inclusive bound). */
  readonly now: Instant;
  readonly policy: CatchUpPolicy;
  /** @default DEFAULT_GRACE_MS */
  readonly graceMs?: number;
  /** `all` only. @default DEFAULT_MAX_CATCH_UP_COUNT */
  readonly maxCount?: number;
  /** `all` only. @default DEFAULT_MAX_CATCH_UP_WINDOW_MS */
  readonly maxWindowMs?: number;
}

/**
 * The fire times a tick must fire, in increasing order. The tick covers
 * `(lastTickAt, now]`; a fire time in `(now - graceMs, now]` is on time and
 * fires under every policy; older ones are missed and follow `policy`
 * (`latest` fires the most recent missed time only when no time is on time).
 * On the first run (no `lastTickAt`) nothing older than the grace window
 * fires, whatever the policy.
 *
 * @throws {ValidationError} when an option is out of range.
 * @example
 * ```ts
 * const schedule = parseCronSchedule('0 * * * *');
 * dueFireTimes({ schedule, lastTickAt: Date.parse('2026-01-01T09:30:00Z'),
 *   now: Date.parse('2026-01-01T12:00:10Z'), policy: 'latest' });
 * // [2026-01-01T12:00:00.000Z]
 * ```
 */
export function dueFireTimes(input: DueFireTimesInput): Date[] {
  const { schedule, policy } = input;
  const now = epochMs(input.now, 'now');
  const graceMs = option(input.graceMs, DEFAULT_GRACE_MS, 'graceMs', 0);
  const maxCount = option(input.maxCount, DEFAULT_MAX_CATCH_UP_COUNT, 'maxCount', 1);
  if (!Number.isInteger(maxCount)) {
    throw new ValidationError('maxCount', `must be an integer, got ${maxCount}`, 'pass e.g. 100');
  }
  const maxWindowMs = option(input.maxWindowMs, DEFAULT_MAX_CATCH_UP_WINDOW_MS, 'maxWindowMs', 1);
  if (!CATCH_UP_POLICIES.includes(policy)) {
    throw new ValidationError(
      'policy',
      `unknown catch-up policy '${policy}'`,
      "use 'all', 'latest' or 'none'",
    );
  }
  const graceStart = now - graceMs;
  const from =
    input.lastTickAt === undefined || input.lastTickAt === null
      ? graceStart
      : epochMs(input.lastTickAt, 'lastTickAt');
  if (from >= now) return [];
  const onTime = schedule.between(Math.max(from, graceStart), now);
  if (from >= graceStart || policy === 'none') return onTime;
  if (policy === 'latest') {
    if (onTime.length > 0) return onTime;
    const latest = latestBetween(schedule, from, graceStart);
    return latest ? [latest] : [];
  }
  const windowStart = Math.max(from, now - Math.max(maxWindowMs, graceMs));
  const missed = windowStart < graceStart ? schedule.between(windowStart, graceStart) : [];
  return [...missed, ...onTime].slice(-maxCount);
}

/** Last fire time in (from, to], searched backwards in growing windows so a long outage stays cheap. */
function latestBetween(schedule: DueFireTimesInput['schedule'], from: number, to: number) {
  let span = 60 * 60_000;
  for (let end = to; end > from; span *= 2) {
    const start = Math.max(from, end - span);
    const fires = schedule.between(start, end);
    if (fires.length > 0) return fires.at(-1);
    end = start;
  }
  return undefined;
}

function option(value: number | undefined, fallback: number, name: string, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < min) {
    throw new ValidationError(
      name,
      `must be a number >= ${min}, got ${value}`,
      `omit it for ${fallback}`,
    );
  }
  return value;
}

/**
 * The next time any of `triggers` fires after `after`, or undefined when
 * there are none: what `automations list` shows for a cron automation.
 *
 * @example
 * ```ts
 * nextFireTime([{ expression: '0 * * * *', timezone: 'UTC', catchUp: 'latest' }], Date.parse('2026-01-01T09:30:00Z'));
 * // 2026-01-01T10:00:00.000Z
 * ```
 */
export function nextFireTime(
  triggers: readonly { readonly expression: string; readonly timezone: string }[],
  after: number,
): Date | undefined {
  let next: Date | undefined;
  for (const trigger of triggers) {
    const schedule = parseCronSchedule(trigger.expression, { timezone: trigger.timezone });
    const [candidate] = schedule.next(after);
    if (candidate && (next === undefined || candidate < next)) next = candidate;
  }
  return next;
}
