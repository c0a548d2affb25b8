import { beforeAll, describe, expect, it } from 'vitest';
import { RequestAccounting } from '../../../lambdas/adapters/aws/request-accounting.js';
import { InvalidAutomationError } from '../../../lambdas/core/automations/errors.js';
import { InvalidBatchPolicyError } from '../../../lambdas/core/batching/errors.js';
import {
  AutomationNotFoundError,
  ClusterNotFoundError,
  LocationNotFoundError,
  ResourceInUseError,
} from '../../../lambdas/core/ports/automation-store.js';
import {
  automationTable,
  locationName,
  storageAutomation,
  T0,
  task,
} from './automation-fixtures.js';

function reason(result: PromiseSettledResult<unknown> | undefined): string {
  return result?.status === 'rejected' ? String((result.reason as Error).message) : 'fulfilled';
}

describe('DynamoDbAutomationStore automations', () => {
  let table: Awaited<ReturnType<typeof automationTable>>;
  let location: string;

  beforeAll(async () => {
    table = await automationTable();
    location = locationName();
    await table.store().registerLocation({ name: location, kind: 's3', bucket: 'scenes-bucket' });
  });

  it('creates an automation on the default cluster and finds it again', async () => {
    // Prepare
    const store = table.store();

    // Act
    const created = await store.create(storageAutomation(location));

    // Assess
    expect(created).toMatchObject({
      name: 'thumbnails',
      kind: 'storage',
      cluster: 'default',
      enabled: true,
      createdAt: T0,
      task: {
        identifier: { name: 'Thumbnail', version: 'v1.2' },
        input: { size: 256 },
        maxRetries: 0,
      },
      triggers: { storage: [{ location, glob: '**.tif' }], cron: [] },
    });
    expect(created.id).toMatch(/^[0-9A-Z]{26}$/);
    expect(await store.find(created.id)).toEqual(created);
    expect((await store.defaultCluster()).slug).toBe('default');
  });

  it('creates batch and cron automations with their defaults filled in', async () => {
    // Prepare
    const store = table.store();

    // Act
    const batch = await store.create({
      name: 'packages',
      triggers: { batch: { location, count: 50, ignore: ['tmp'], submitJob: false } },
    });
    const cron = await store.create({
      name: 'nightly',
      task,
      triggers: {
        cron: [
          '0 2 * * *',
          { expression: '30 9 * * MON', timezone: 'Europe/Berlin', catchUp: 'latest' },
        ],
      },
    });

    // Assess
    expect(batch).toMatchObject({
      kind: 'batch',
      triggers: {
        batch: {
          location,
          prefixDepth: 2,
          count: 50,
          quietSeconds: 300,
          ignore: ['tmp'],
          emitEvent: true,
          submitJob: false,
        },
      },
    });
    expect(batch.task).toBeUndefined();
    expect(cron.triggers.cron).toEqual([
      { expression: '0 2 * * *', timezone: 'UTC', catchUp: 'all' },
      { expression: '30 9 * * MON', timezone: 'Europe/Berlin', catchUp: 'latest' },
    ]);
  });

  it('rejects an unknown cluster and unknown locations, naming them', async () => {
    // Prepare
    const store = table.store();

    // Act
    const [noCluster, noLocations] = await Promise.allSettled([
      store.create(storageAutomation(location, { cluster: 'gpu-missing01' })),
      store.create({
        name: 'x',
        task,
        triggers: {
          storage: [
            { location: 'nowhere', glob: '*' },
            { location: 'elsewhere', glob: '*' },
            { location, glob: 'a' },
          ],
        },
      }),
    ]);

    // Assess
    expect(noCluster).toMatchObject({ reason: expect.any(ClusterNotFoundError) });
    expect(reason(noCluster)).toMatch(/gpu-missing01/);
    expect(noLocations).toMatchObject({ reason: expect.any(LocationNotFoundError) });
    expect(reason(noLocations)).toMatch(/'nowhere', 'elsewhere'/);
  });

  it('rejects invalid globs, cron expressions, time zones and thresholds before writing', async () => {
    // Prepare
    const store = table.store();
    const accounting = new RequestAccounting().attach({ dynamodb: table.clients.dynamodb });

    // Act
    const results = await Promise.allSettled([
      store.create({ name: 'g', task, triggers: { storage: [{ location, glob: 'a/[b' }] } }),
      store.create({ name: 'c', task, triggers: { cron: ['61 * * * *'] } }),
      store.create({
        name: 'z',
        task,
        triggers: { cron: [{ expression: '0 * * * *', timezone: 'Mars/Base' }] },
      }),
      store.create({ name: 'b', task, triggers: { batch: { location, count: 0 } } }),
      store.create({
        name: 'm',
        task,
        triggers: { cron: ['@daily'], storage: [{ location, glob: '*' }] },
      }),
    ]);

    // Assess
    const [badGlob, badCron, badZone, badCount, mixed] = results;
    expect(reason(badGlob)).toMatch(/^triggers\.storage\[0\]\.glob: glob 'a\/\[b'/);
    expect(reason(badCron)).toMatch(/^triggers\.cron\[0\]: cron '61 \* \* \* \*'/);
    expect(reason(badZone)).toMatch(/^triggers\.cron\[0\]: timezone 'Mars\/Base'/);
    expect(badCount).toMatchObject({ reason: expect.any(InvalidBatchPolicyError) });
    expect(reason(badCount)).toMatch(/^triggers\.batch\.count/);
    expect(mixed).toMatchObject({ reason: expect.any(InvalidAutomationError) });
    expect(accounting.total('dynamodb').requests).toBe(0);
  });

  it('lists enabled automations with one Query and no Scan', async () => {
    // Prepare
    const store = table.store();
    const disabled = await store.create(
      storageAutomation(location, { name: 'off', enabled: false }),
    );
    const enabled = await store.create(storageAutomation(location, { name: 'on' }));
    const accounting = new RequestAccounting().attach({ dynamodb: table.clients.dynamodb });

    // Act
    const listed = await store.list();

    // Assess
    expect(accounting.requests('dynamodb', 'Query')).toBe(1);
    expect(accounting.requests('dynamodb', 'Scan')).toBe(0);
    const ids = listed.map((automation) => automation.id);
    expect(ids).toContain(enabled.id);
    expect(ids).not.toContain(disabled.id);
    expect((await store.list({ includeDisabled: true })).map((a) => a.id)).toContain(disabled.id);
  });

  it('stops listing an automation once it is disabled or deleted', async () => {
    // Prepare
    const store = table.store();
    const paused = await store.create(storageAutomation(location, { name: 'paused' }));
    const removed = await store.create(storageAutomation(location, { name: 'removed' }));

    // Act
    const afterDisable = await store.setEnabled(paused.id, false);
    const deleted = await store.delete(removed.id);
    const deletedAgain = await store.delete(removed.id);

    // Assess
    expect(afterDisable.enabled).toBe(false);
    expect(deleted).toBe(true);
    expect(deletedAgain).toBe(false);
    const ids = (await store.list()).map((automation) => automation.id);
    expect(ids).not.toContain(paused.id);
    expect(ids).not.toContain(removed.id);
    expect(await store.find(removed.id)).toBeUndefined();
    await expect(store.setEnabled(removed.id, true)).rejects.toThrow(AutomationNotFoundError);
  });

  it('keeps a location or cluster in use from being deleted, and frees it with its last automation', async () => {
    // Prepare
    const store = table.store();
    const own = locationName();
    await store.registerLocation({ name: own, kind: 'local-folder', path: '/data/in' });
    const cluster = await store.createCluster('gpu runners');
    const automation = await store.create(
      storageAutomation(own, { name: 'user', cluster: cluster.slug }),
    );

    // Act
    const [locationInUse, clusterInUse] = await Promise.allSettled([
      store.deleteLocation(own),
      store.deleteCluster(cluster.slug),
    ]);
    await store.delete(automation.id);

    // Assess
    expect(locationInUse).toMatchObject({
      status: 'rejected',
      reason: expect.any(ResourceInUseError),
    });
    expect(clusterInUse).toMatchObject({ status: 'rejected' });
    expect(String(clusterInUse.status === 'rejected' && clusterInUse.reason)).toMatch(
      /used by 1 automation\(s\) \(user \(/,
    );
    expect(await store.deleteLocation(own)).toBe(true);
    expect(await store.deleteCluster(cluster.slug)).toBe(true);
    expect(await store.findCluster(cluster.slug)).toBeUndefined();
  });

  it('never leaves an automation on a deleted location when both race', async () => {
    for (let round = 0; round < 4; round++) {
      // Prepare
      const store = table.store();
      const racing = locationName();
      await store.registerLocation({ name: racing, kind: 's3', bucket: 'race-bucket' });

      // Act
      const [created, deleted] = await Promise.allSettled([
        store.create(storageAutomation(racing, { name: `race-${round}` })),
        store.deleteLocation(racing),
      ]);

      // Assess
      const exists = (await store.findLocation(racing)) !== undefined;
      if (created.status === 'fulfilled') {
        expect(exists).toBe(true);
        expect(deleted.status).toBe('rejected');
      } else {
        expect(created.reason).toBeInstanceOf(LocationNotFoundError);
        expect(exists).toBe(false);
      }
    }
  });
});
