import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidStorageLocationError } from '../../../lambdas/core/automations/errors.js';
import { LocationExistsError } from '../../../lambdas/core/ports/automation-store.js';
import { automationTable, locationName, storageAutomation, T0 } from './automation-fixtures.js';

function reason(result: PromiseSettledResult<unknown>): string {
  return result.status === 'rejected' ? String((result.reason as Error).message) : 'fulfilled';
}

describe('DynamoDbAutomationStore locations and clusters', () => {
  let table: Awaited<ReturnType<typeof automationTable>>;

  beforeAll(async () => {
    table = await automationTable();
  });

  it('registers, lists, finds and deletes storage locations', async () => {
    // Prepare
    const store = table.store();
    const bucket = locationName();
    const folder = locationName();

    // Act
    await store.registerLocation({ name: bucket, kind: 's3', bucket: 'raw-scenes' });
    await store.registerLocation({ name: folder, kind: 'local-folder', path: '/srv/incoming' });
    const listed = await store.listLocations();
    const deleted = await store.deleteLocation(bucket);

    // Assess
    expect(listed).toEqual(
      expect.arrayContaining([
        { name: bucket, kind: 's3', bucket: 'raw-scenes' },
        { name: folder, kind: 'local-folder', path: '/srv/incoming' },
      ]),
    );
    expect(deleted).toBe(true);
    expect(await store.findLocation(bucket)).toBeUndefined();
    expect(await store.findLocation(folder)).toEqual({
      name: folder,
      kind: 'local-folder',
      path: '/srv/incoming',
    });
    expect(await store.deleteLocation(bucket)).toBe(false);
  });

  it('rejects a taken location name and invalid buckets or paths', async () => {
    // Prepare
    const store = table.store();
    const name = locationName();
    await store.registerLocation({ name, kind: 's3', bucket: 'first-bucket' });

    // Act
    const [taken, badBucket, relative] = await Promise.allSettled([
      store.registerLocation({ name, kind: 's3', bucket: 'second-bucket' }),
      store.registerLocation({ name: locationName(), kind: 's3', bucket: 'My_Bucket' }),
      store.registerLocation({ name: locationName(), kind: 'local-folder', path: 'data/in' }),
    ]);

    // Assess
    expect(taken).toMatchObject({ status: 'rejected', reason: expect.any(LocationExistsError) });
    expect(badBucket).toMatchObject({
      status: 'rejected',
      reason: expect.any(InvalidStorageLocationError),
    });
    expect(reason(badBucket)).toMatch(/^bucket: "My_Bucket"/);
    expect(reason(relative)).toMatch(/^path: "data\/in" is not absolute/);
  });

  it('creates clusters whose slug is the name plus a random suffix', async () => {
    // Prepare
    const store = table.store();

    // Act
    const first = await store.createCluster('GPU runners');
    const second = await store.createCluster('GPU runners');

    // Assess
    expect(first.slug).toMatch(/^gpu-runners-[A-Za-z0-9]{8}$/);
    expect(second.slug).not.toBe(first.slug);
    expect(first).toMatchObject({ name: 'GPU runners', createdAt: T0 });
    const slugs = (await store.listClusters()).map((cluster) => cluster.slug);
    expect(slugs).toEqual(expect.arrayContaining([first.slug, second.slug]));
    expect(await store.findCluster(first.slug)).toEqual(first);
  });

  it('creates the default cluster once however many callers ask at once', async () => {
    // Act
    const clusters = await Promise.all(
      Array.from({ length: 5 }, () => table.store().defaultCluster()),
    );

    // Assess
    expect(new Set(clusters.map((cluster) => cluster.slug))).toEqual(new Set(['default']));
    const defaults = (await table.store().listClusters()).filter((c) => c.slug === 'default');
    expect(defaults).toHaveLength(1);
  });
});

describe('DynamoDbAutomationStore cron cursor', () => {
  let table: Awaited<ReturnType<typeof automationTable>>;
  let automationId: string;

  beforeAll(async () => {
    table = await automationTable();
    const location = locationName();
    await table.store().registerLocation({ name: location, kind: 's3', bucket: 'cron-bucket' });
    const created = await table.store().create({
      ...storageAutomation(location),
      triggers: { cron: ['* * * * *'] },
    });
    automationId = created.id;
  });

  it('lets exactly one of overlapping ticks advance the cursor', async () => {
    // Prepare
    const store = table.store();

    // Act
    const first = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        table.store().advanceCronCursor(automationId, undefined, T0 + i),
      ),
    );
    const cursor = await store.cronCursor(automationId);
    const second = await Promise.all(
      Array.from({ length: 6 }, () =>
        table.store().advanceCronCursor(automationId, cursor, T0 + 60_000),
      ),
    );
    const stale = await store.advanceCronCursor(automationId, cursor, T0 + 120_000);

    // Assess
    expect(first.filter(Boolean)).toHaveLength(1);
    expect(second.filter(Boolean)).toHaveLength(1);
    expect(stale).toBe(false);
    expect(await store.cronCursor(automationId)).toBe(T0 + 60_000);
    expect((await store.cronCursors()).get(automationId)).toBe(T0 + 60_000);
    await expect(store.advanceCronCursor(automationId, T0 + 60_000, T0)).rejects.toThrow(/^to: /);
  });

  it('drops the cursor with its automation', async () => {
    // Prepare
    const store = table.store();
    const location = locationName();
    await store.registerLocation({ name: location, kind: 's3', bucket: 'cron-bucket' });
    const doomed = await store.create({
      ...storageAutomation(location),
      triggers: { cron: ['@hourly'] },
    });
    await store.advanceCronCursor(doomed.id, undefined, T0);

    // Act
    await store.delete(doomed.id);

    // Assess
    expect(await store.cronCursor(doomed.id)).toBeUndefined();
    expect((await store.cronCursors()).has(doomed.id)).toBe(false);
  });
});
