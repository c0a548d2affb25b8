import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lambdas/core/errors.js';
import type { Cluster } from '../../../lambdas/core/ports/automation-store.js';
import { BatchTask, CronTask, StorageEventTask } from '../../../lambdas/sdk/trigger-tasks.js';
import { type ClientFixture, createClientFixture } from './client-fixture.js';

class Report extends CronTask<{ recipient: string }> {
  static override identifier = { name: 'client/Report', version: 'v1.0' };
  execute() {}
}

class OnUpload extends StorageEventTask {
  static override identifier = { name: 'client/OnUpload', version: 'v1.0' };
  execute() {}
}

class Package extends BatchTask {
  static override identifier = { name: 'client/Package', version: 'v1.0' };
  execute() {}
}

describe('ClientAutomations', () => {
  let fixture: ClientFixture;
  let cluster: Cluster;
  let folder: string;

  beforeAll(async () => {
    fixture = await createClientFixture();
    cluster = await fixture.client.clusters.create('automations');
    folder = await mkdtemp(join(tmpdir(), 'bucketflow-client-'));
    await fixture.client.storageLocations.register({
      name: 'incoming',
      kind: 'local-folder',
      path: folder,
    });
  });

  it('creates cron, storage-event and batch automations, lists and deletes them', async () => {
    // Prepare
    const { automations } = fixture.client;

    // Act
    const cron = await automations.createCron(
      'nightly',
      cluster.slug,
      new Report({ recipient: 'ops' }),
      ['0 2 * * *'],
      { timezone: 'Europe/Paris' },
    );
    const storage = await automations.createStorageEvent('uploads', cluster.slug, new OnUpload(), [
      ['incoming', 'scenes/**/*.png'],
    ]);
    const batch = await automations.createBatch('packages', {
      location: 'incoming',
      prefixDepth: 1,
      count: 10,
      quiet: 60,
      cluster: cluster.slug,
      task: new Package(),
    });
    const listed = await automations.list();
    const deleted = await automations.delete(storage.id);

    // Assess
    expect(cron.kind).toBe('cron');
    expect(cron.triggers.cron[0]).toMatchObject({
      expression: '0 2 * * *',
      timezone: 'Europe/Paris',
    });
    expect(cron.task?.input).toEqual({ recipient: 'ops' });
    expect(storage.triggers.storage).toEqual([{ location: 'incoming', glob: 'scenes/**/*.png' }]);
    expect(batch.triggers.batch).toMatchObject({ count: 10, quietSeconds: 60, submitJob: true });
    expect(listed.map((automation) => automation.id)).toEqual(
      expect.arrayContaining([cron.id, storage.id, batch.id]),
    );
    expect(deleted).toBe(true);
    expect(await automations.find(storage.id)).toBeUndefined();
  });

  it('rejects a bad cron expression naming the field', async () => {
    // Act
    const creating = fixture.client.automations.createCron(
      'bad',
      cluster.slug,
      new Report({ recipient: 'x' }),
      ['every tuesday'],
    );

    // Assess
    await expect(creating).rejects.toThrow(ValidationError);
    await expect(creating).rejects.toThrow(/triggers\.cron\[0\]/);
  });

  it('rejects a bad glob naming the field', async () => {
    // Act
    const creating = fixture.client.automations.createStorageEvent(
      'bad',
      cluster.slug,
      new OnUpload(),
      [['incoming', 'scenes/[a-']],
    );

    // Assess
    await expect(creating).rejects.toThrow(ValidationError);
    await expect(creating).rejects.toThrow(/triggers\.storage\[0\]\.glob/);
  });

  it.each([
    ['a quiet period past the members retention', { quiet: 1e13 }, /^quiet: .*1209600/],
    ['a count past the limit', { count: 10_001 }, /^count: .*10000/],
    ['a max age shorter than the quiet period', { quiet: 600, maxAge: 60 }, /^maxAge: /],
    ['a fractional count', { count: 2.5 }, /^count: /],
  ])('rejects %s naming the option, and stores nothing', async (_case, thresholds, message) => {
    // Prepare
    const { automations } = fixture.client;
    const before = await automations.list({ includeDisabled: true });

    // Act
    const creating = automations.createBatch('bounded', {
      location: 'incoming',
      cluster: cluster.slug,
      task: new Package(),
      ...thresholds,
    });

    // Assess
    await expect(creating).rejects.toThrow(ValidationError);
    await expect(creating).rejects.toThrow(message);
    const after = await automations.list({ includeDisabled: true });
    expect(after.map((automation) => automation.id)).toEqual(
      before.map((automation) => automation.id),
    );
  });

  it('rejects an automation on an unknown cluster', async () => {
    // Act
    const creating = fixture.client.automations.createCron(
      'lost',
      'nowhere-12345678',
      new Report({ recipient: 'x' }),
      ['0 2 * * *'],
    );

    // Assess
    await expect(creating).rejects.toThrow(/unknown cluster 'nowhere-12345678'/);
  });

  it('reads an object from a registered storage location', async () => {
    // Prepare
    await writeFile(join(folder, 'hello.txt'), 'hello');

    // Act
    const bytes = await fixture.client.storageLocations.read('incoming', 'hello.txt');

    // Assess
    expect(new TextDecoder().decode(bytes)).toBe('hello');
    expect(
      (await fixture.client.storageLocations.list()).map((location) => location.name),
    ).toContain('incoming');
  });
});
