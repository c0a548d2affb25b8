import { CronExpressionParser } from 'cron-parser';
import { parseCronSchedule } from '../lambdas/core/cron/cron-schedule.js';
import { type BenchSection, bestOf, fmt, measureThroughput, seeded } from './harness.js';

/** `dstRules`: the schedule meets a DST change where our rules and raw cron-parser differ. */
const CASES = [
  { expression: '* * * * *', timezone: 'UTC', dstRules: false },
  { expression: '*/15 9-17 * * MON-FRI', timezone: 'Europe/Berlin', dstRules: false },
  { expression: '0 0 1 1 *', timezone: 'UTC', dstRules: false },
  { expression: '30 2 * * *', timezone: 'Europe/Berlin', dstRules: true },
] as const;

/** Start instants per "next after an instant" call batch, spread over 2026-2027. */
const START_COUNT = 512;
/** Fire times per "walk forward" call. */
const WALK_LENGTH = 100;
const START = Date.parse('2026-01-01T00:00:00Z');
const SPAN_MS = 2 * 365 * 86_400_000;

/**
 * Cron next-fire evaluation: bucketflow's `CronSchedule` (cron-parser on the
 * zone's wall clock plus its own DST rules) against raw cron-parser `next()`
 * in the same zone, the baseline, measured in the same run. Two workloads:
 * the next fire time after arbitrary instants (what a tick does), and a walk
 * over successive fire times (what `between` and the CLI do).
 *
 * @example
 * ```ts
 * for (const section of await run()) console.log(renderSection(section));
 * ```
 */
export async function run(): Promise<BenchSection[]> {
  const random = seeded(0xc0de);
  const starts = Array.from({ length: START_COUNT }, () => START + Math.floor(random() * SPAN_MS));
  const rows: Array<Record<string, string | number>> = [];
  const mismatches: string[] = [];

  for (const { expression, timezone, dstRules } of CASES) {
    const ours = parseCronSchedule(expression, { timezone });
    const raw = CronExpressionParser.parse(expression, { tz: timezone, currentDate: START });
    const rawNext = (after: number) => {
      raw.reset(new Date(after));
      return raw.next().getTime();
    };

    // Away from DST changes both must agree; where they differ, it is a DST rule (see the unit tests).
    const differing = starts.filter(
      (after) => ours.next(after, 1)[0]?.getTime() !== rawNext(after),
    );
    if (!dstRules && differing.length > 0) {
      mismatches.push(`${expression} (${timezone}): ${differing.length}`);
    }

    const afterOurs = bestOf(() =>
      measureThroughput(() => starts.map((after) => ours.next(after, 1)), starts.length),
    );
    const afterRaw = bestOf(() =>
      measureThroughput(() => starts.map((after) => rawNext(after)), starts.length),
    );
    const walkOurs = bestOf(() =>
      measureThroughput(() => ours.next(START, WALK_LENGTH), WALK_LENGTH),
    );
    const walkRaw = bestOf(() =>
      measureThroughput(() => {
        raw.reset(new Date(START));
        return raw.take(WALK_LENGTH);
      }, WALK_LENGTH),
    );
    for (const [workload, mine, base] of [
      ['next after an instant', afterOurs, afterRaw],
      [`walk ${WALK_LENGTH} fire times`, walkOurs, walkRaw],
    ] as const) {
      rows.push({
        expression,
        zone: timezone,
        workload,
        'ours evals/s': fmt(mine.opsPerSecond),
        'raw cron-parser evals/s': fmt(base.opsPerSecond),
        'ours/raw': fmt(mine.opsPerSecond / base.opsPerSecond, 2),
        'starts where ours ≠ raw': workload === 'next after an instant' ? differing.length : '',
      });
    }
  }

  return [
    {
      title: 'cron: next fire time, CronSchedule vs raw cron-parser next() (evaluations/s)',
      rows,
      checks: [
        {
          name: 'same next fire time as raw cron-parser from every start, where no DST rule applies',
          pass: mismatches.length === 0,
          detail:
            mismatches.length === 0
              ? `${START_COUNT} starts × ${CASES.filter((c) => !c.dstRules).length} schedules`
              : mismatches.join('; '),
        },
      ],
    },
  ];
}
