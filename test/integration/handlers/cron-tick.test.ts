import { beforeAll, describe, expect, it } from 'vitest';
import { RequestAccounting } from '../../../lambdas/adapters/aws/request-accounting.js';
import { createCronTickHandler } from '../../../lambdas/handlers/cron-tick.js';
import { testClock } from '../../support/test-clock.js';
import { createTestRuntime, type TestRuntime } from '../support/handler-runtime.js';

const MINUTE = 60_000;
const clock = testClock('2026-11-23T10:00:00Z');

describe('cron-tick', () => {
  let env: TestRuntime;

  beforeAll(async () => {
    env = await createTestRuntime({ clock });
  });

  async function firesOf(automationId: string, from: number): Promise<string[]> {
    const page = await env.runtime.deps.jobs.queryJobs({ from, to: clock() + 1, automationId });
    const times = [];
    for (const job of page.jobs) {
      times.push(JSON.parse(job.triggerJson ?? '{}').fireTime as string);
    }
    return times.sort();
  }

  function everyMinute(name: string) {
    return env.runtime.automations.create({
      name,
      task: { identifier: { name: 'Report' }, input: {} },
      triggers: { cron: [{ expression: '* * * * *', catchUp: 'all' }] },
    });
  }

  it('fires no time before an automation was created, however it was created', async () => {
    // Prepare: created by the SDK (no cursor set by anyone) half a minute past 10:02.
    const createdAt = Date.parse('2026-11-23T10:02:30Z');
    clock.set(createdAt);
    const automation = await everyMinute('from-the-sdk');
    const tick = createCronTickHandler(env.runtime);

    // Act
    clock.set(createdAt + 10_000);
    const first = await tick();
    clock.set(Date.parse('2026-11-23T10:03:05Z'));
    const second = await tick();

    // Assess: the grace window (10:00-10:02) fired nothing; 10:03 fired once.
    expect(first.fired).toBe(0);
    expect(second.fired).toBe(1);
    expect(await firesOf(automation.id, createdAt - 10 * MINUTE)).toEqual([
      '2026-11-23T10:03:00.000Z',
    ]);
  });

  it('fires no time from before a re-enabled automation was enabled again', async () => {
    // Prepare: fires at 11:00, disabled at 11:00:30, enabled again at 11:20:30.
    clock.set(Date.parse('2026-11-23T10:59:30Z'));
    const automation = await everyMinute('re-enabled');
    const tick = createCronTickHandler(env.runtime);
    clock.set(Date.parse('2026-11-23T11:00:10Z'));
    await tick();
    clock.set(Date.parse('2026-11-23T11:00:30Z'));
    await env.runtime.automations.setEnabled(automation.id, false);
    clock.set(Date.parse('2026-11-23T11:20:30Z'));
    const enabled = await env.runtime.automations.setEnabled(automation.id, true);

    const since = Date.parse('2026-11-23T10:50:00Z');

    // Act
    clock.set(Date.parse('2026-11-23T11:20:40Z'));
    await tick();
    const rightAfter = await firesOf(automation.id, since);
    clock.set(Date.parse('2026-11-23T11:21:05Z'));
    await tick();

    // Assess: 11:01-11:20 passed while it was disabled (or before it was enabled) and never fire.
    expect(enabled.enabledAt).toBe(Date.parse('2026-11-23T11:20:30Z'));
    expect(rightAfter).toEqual(['2026-11-23T11:00:00.000Z']);
    expect(await firesOf(automation.id, since)).toEqual([
      '2026-11-23T11:00:00.000Z',
      '2026-11-23T11:21:00.000Z',
    ]);
  });

  it('writes no cursor on ticks that submit nothing', async () => {
    // Prepare: a daily automation and an hour of ticks in which it is never due.
    clock.set(Date.parse('2026-11-23T12:00:30Z'));
    const daily = await env.runtime.automations.create({
      name: 'daily',
      task: { identifier: { name: 'Report' }, input: {} },
      triggers: { cron: [{ expression: '0 3 * * *', catchUp: 'all' }] },
    });
    await env.runtime.automations.setEnabled(
      (await env.runtime.automations.list()).find((a) => a.name === 're-enabled')?.id ?? '',
      false,
    );
    await env.runtime.automations.setEnabled(
      (await env.runtime.automations.list()).find((a) => a.name === 'from-the-sdk')?.id ?? '',
      false,
    );
    const accounting = new RequestAccounting().attach({ dynamodb: env.clients.dynamodb });
    const tick = createCronTickHandler(env.runtime);

    // Act
    let fired = 0;
    for (let minute = 1; minute <= 60; minute++) {
      clock.set(Date.parse('2026-11-23T12:00:30Z') + minute * MINUTE);
      fired += (await tick()).fired;
    }

    // Assess
    expect(fired).toBe(0);
    expect(accounting.requests('dynamodb', 'UpdateItem')).toBe(0);
    expect(accounting.requests('dynamodb', 'PutItem')).toBe(0);
    expect(await env.runtime.automations.cronCursor(daily.id)).toBeUndefined();
  });
});
