import { dueFireTimes } from '../cron/catch-up.js';
import { parseCronSchedule } from '../cron/cron-schedule.js';
import type { Automation, AutomationStore } from '../ports/automation-store.js';
import type { TaskMessage } from '../ports/task-queue.js';
import { automationTaskSpec } from './automation-catalog.js';
import { sendAll } from './send-tasks.js';
import type { ServiceDependencies } from './service-dependencies.js';
import { submitTraced } from './submit-traced.js';

export interface CronTickResult {
  readonly fired: number;
  /** Fire times whose job already existed (an overlapping or retried tick). */
  readonly alreadySubmitted: number;
}

/**
 * One cron tick: for every enabled cron automation, the fire times since its
 * cursor (by its catch-up policy) each submit exactly one job, idempotent on
 * `cron:<automationId>:<fireTime>`, and then the cursor moves to `now` with a
 * conditional write. Overlapping or retried ticks therefore submit nothing
 * twice; a tick that dies before moving the cursor is redone by the next.
 * Fire times never come from before the automation was created or last
 * enabled (`enabledAt`), whoever created it, and a tick that submits nothing
 * writes nothing: the cursor only marks how far fire times were handled.
 *
 * @example
 * ```ts
 * await cronTick(deps, automationStore, catalog.cron, Date.now());
 * ```
 */
export async function cronTick(
  deps: ServiceDependencies,
  store: Pick<AutomationStore, 'cronCursors' | 'advanceCronCursor'>,
  automations: readonly Automation[],
  now: number,
): Promise<CronTickResult> {
  const cursors = await store.cronCursors();
  const runnable: TaskMessage[] = [];
  let fired = 0;
  let alreadySubmitted = 0;
  for (const automation of automations) {
    const task = automation.task;
    if (!task) continue;
    const cursor = cursors.get(automation.id);
    const enabledAt = automation.enabledAt ?? automation.createdAt;
    const fireTimes = new Map<number, { expression: string; timezone: string }>();
    for (const trigger of automation.triggers.cron) {
      const schedule = parseCronSchedule(trigger.expression, { timezone: trigger.timezone });
      for (const at of dueFireTimes({
        schedule,
        lastTickAt: Math.max(cursor ?? enabledAt, enabledAt),
        now,
        policy: trigger.catchUp,
      })) {
        if (!fireTimes.has(at.getTime())) {
          fireTimes.set(at.getTime(), {
            expression: trigger.expression,
            timezone: schedule.timezone,
          });
        }
      }
    }
    for (const [at, { expression, timezone }] of [...fireTimes].sort(([a], [b]) => a - b)) {
      const fireTime = new Date(at).toISOString();
      const trigger = { kind: 'cron' as const, fireTime, expression, timezone };
      const result = await submitTraced(deps, {
        name: automation.name,
        root: automationTaskSpec(automation, task, trigger),
        automationId: automation.id,
        trigger,
        idempotencyKey: `cron:${automation.id}:${fireTime}`,
        idempotencyKeyTime: at,
      });
      runnable.push(...result.runnable);
      if (result.created) fired++;
      else alreadySubmitted++;
      deps.observe?.({
        type: 'job-submitted',
        automation: automation.name,
        jobId: result.job.jobId,
        created: result.created,
        cause: `cron ${expression} at ${fireTime}`,
      });
    }
    if (fireTimes.size > 0) await store.advanceCronCursor(automation.id, cursor, now);
  }
  await sendAll(deps, runnable);
  return { fired, alreadySubmitted };
}
