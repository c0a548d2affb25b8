import { beforeAll, describe, expect, it } from 'vitest';
import { Heartbeat, WordCount } from '../../../examples/tasks.js';
import type { ConfigPlan } from '../../../lambdas/core/services/config-apply.js';
import {
  CONFIG_RESOURCE_ID,
  createConfigApplyHandler,
} from '../../../lambdas/handlers/config-apply.js';
import type { BucketflowConfig } from '../../../lambdas/sdk/config.js';
import { configPlan } from '../../../lambdas/sdk/config-plan.js';
import { testClock } from '../../support/test-clock.js';
import { createTestRuntime, type TestRuntime } from '../support/handler-runtime.js';

const START = Date.parse('2026-03-02T08:00:30Z');

const base: BucketflowConfig = {
  locations: { raw: { kind: 's3', bucket: 'raw-data' }, inbox: { kind: 'local-folder' } },
  clusters: { gpu: {} },
  automations: [
    {
      kind: 'storage',
      name: 'texts',
      task: new WordCount(),
      triggers: [
        ['raw', '**.txt'],
        ['inbox', '**.txt'],
      ],
    },
    {
      kind: 'cron',
      name: 'nightly',
      task: new Heartbeat(),
      schedules: ['0 2 * * *'],
      cluster: 'gpu',
    },
  ],
};

/** The custom resource's properties as CloudFormation hands them over: the plan as a JSON string. */
const properties = (config: BucketflowConfig) => ({
  ServiceToken: 'arn:aws:lambda:us-east-1:000000000000:function:provider',
  Plan: JSON.stringify(configPlan(config).plan satisfies ConfigPlan),
});

describe('config-apply handler (the config custom resource)', () => {
  const clock = testClock(START);
  let env: TestRuntime;
  let handler: ReturnType<typeof createConfigApplyHandler>;

  beforeAll(async () => {
    env = await createTestRuntime({ clock });
    handler = createConfigApplyHandler(env.runtime);
  });

  const names = async () => (await env.runtime.automations.list()).map((a) => a.name).sort();

  it('creates the deployable part of the config and starts cron schedules at the apply time', async () => {
    // Act
    const response = await handler({ RequestType: 'Create', ResourceProperties: properties(base) });

    // Assess
    expect(response.PhysicalResourceId).toBe(CONFIG_RESOURCE_ID);
    expect(await names()).toEqual(['nightly', 'texts']);
    const texts = (await env.runtime.automations.list()).find((a) => a.name === 'texts');
    expect(texts?.triggers.storage).toEqual([{ location: 'raw', glob: '**.txt' }]);
    expect(await env.runtime.automations.listLocations()).toEqual([
      { name: 'raw', kind: 's3', bucket: 'raw-data' },
    ]);
    expect((await env.runtime.automations.findCluster('gpu'))?.slug).toBe('gpu');
    // The schedule starts at the apply: the tick fires nothing before enabledAt, and only a
    // submission writes a cursor.
    const nightly = (await env.runtime.automations.list()).find((a) => a.name === 'nightly');
    expect(nightly?.enabledAt).toBe(START);
    expect(await env.runtime.automations.cronCursor(nightly?.id ?? '')).toBeUndefined();
  });

  it('deletes on Update the automations the old config named and the new one does not', async () => {
    // Prepare
    const before = await env.runtime.automations.list();
    const changed = { ...base, automations: base.automations?.slice(0, 1) };

    // Act
    await handler({
      RequestType: 'Update',
      ResourceProperties: properties(changed),
      OldResourceProperties: properties(base),
    });

    // Assess
    const after = await env.runtime.automations.list();
    expect(after.map((a) => a.name)).toEqual(['texts']);
    expect(after[0]?.id).toBe(before.find((a) => a.name === 'texts')?.id);
  });

  it('deletes on Delete the automations it created', async () => {
    // Act
    await handler({
      RequestType: 'Delete',
      ResourceProperties: properties({ ...base, automations: base.automations?.slice(0, 1) }),
    });

    // Assess
    expect(await names()).toEqual([]);
  });

  it('refuses a request whose plan is not JSON, naming the property', async () => {
    await expect(
      handler({ RequestType: 'Create', ResourceProperties: { ServiceToken: 'x', Plan: '{' } }),
    ).rejects.toThrow('ResourceProperties.Plan: is not JSON');
  });
});
