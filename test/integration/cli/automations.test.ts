import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbJobStore } from '../../../lambdas/adapters/aws/job-store/dynamodb-job-store.js';
import { taskIdentifier } from '../../../lambdas/core/jobs/task-identifier.js';
import type { Automation } from '../../../lambdas/core/ports/automation-store.js';
import { localClients } from '../support/local-aws.js';
import { type CliFixture, createCliFixture } from './cli-fixture.js';

describe('bucketflow automations', () => {
  let fixture: CliFixture;
  let folder: string;

  beforeAll(async () => {
    fixture = await createCliFixture();
    folder = await mkdtemp(join(tmpdir(), 'bucketflow-cli-folder-'));
    await fixture.client.storageLocations.register({
      name: 'incoming',
      kind: 'local-folder',
      path: folder,
    });
  });

  afterAll(async () => {
    await Promise.all([fixture.remove(), rm(folder, { recursive: true, force: true })]);
  });

  it('creates cron, storage and batch automations and lists them', async () => {
    // Act
    const [cron, storage, batch] = await Promise.all([
      fixture.json<Automation>([
        'automations',
        'create-cron',
        'nightly',
        '--task',
        'cli/Report@v1.0',
        '--input',
        '{"recipient":"ops"}',
        '--schedule',
        '0 2 * * *',
        '--schedule',
        '*/5 * * * *',
        '--timezone',
        'Europe/Paris',
        '--catch-up',
        'latest',
      ]),
      fixture.json<Automation>([
        'automations',
        'create-storage',
        'uploads',
        '--task',
        'cli/OnUpload',
        '--trigger',
        'incoming:scenes/**/*.png',
        '--trigger',
        'incoming:**.tif',
      ]),
      fixture.json<Automation>([
        'automations',
        'create-batch',
        'packages',
        '--location',
        'incoming',
        '--prefix-depth',
        '1',
        '--count',
        '10',
        '--quiet',
        '60',
        '--ignore',
        'raw/*,scratch',
        '--marker',
        '_SUCCESS',
        '--no-marker-member',
        '--task',
        'cli/Package@v2.0',
        '--emit-event',
      ]),
    ]);
    const listedAt = Date.now();
    const listed = await fixture.json<Array<Automation & { nextFireTime?: string }>>([
      'automations',
      'list',
    ]);
    const table = await fixture.run(['automations', 'list']);

    // Assess
    expect(cron).toMatchObject({
      kind: 'cron',
      cluster: 'default',
      task: { identifier: { name: 'cli/Report', version: 'v1.0' }, input: { recipient: 'ops' } },
      triggers: {
        cron: [
          { expression: '0 2 * * *', timezone: 'Europe/Paris', catchUp: 'latest' },
          { expression: '*/5 * * * *', timezone: 'Europe/Paris', catchUp: 'latest' },
        ],
      },
    });
    expect(storage.triggers.storage).toEqual([
      { location: 'incoming', glob: 'scenes/**/*.png' },
      { location: 'incoming', glob: '**.tif' },
    ]);
    expect(batch.triggers.batch).toEqual({
      location: 'incoming',
      prefixDepth: 1,
      count: 10,
      quietSeconds: 60,
      ignore: ['raw/*', 'scratch'],
      marker: '_SUCCESS',
      markerIsMember: false,
      emitEvent: true,
      submitJob: true,
    });
    expect(listed.map((automation) => automation.id).sort()).toEqual(
      [cron.id, storage.id, batch.id].sort(),
    );
    // The sooner of 02:00 and every 5 minutes (Paris): a 5-minute boundary after the listing.
    const next = Date.parse(listed.find((a) => a.id === cron.id)?.nextFireTime ?? '');
    expect(next).toBeGreaterThan(listedAt);
    expect(next - listedAt).toBeLessThanOrEqual(5 * 60_000 + 60_000);
    expect(next % (5 * 60_000)).toBe(0);
    expect(listed.find((a) => a.id === storage.id)?.nextFireTime).toBeUndefined();
    expect(table.stdout).toMatch(/^ID\s+NAME\s+KIND\s+CLUSTER\s+TASK\s+NEXT FIRE\s+TRIGGERS\n/);
    expect(table.stdout).toMatch(
      /nightly\s+cron\s+default\s+cli\/Report@v1\.0\s+\d{4}-\d\d-\d\dT\d\d:\d\d:00Z/,
    );
    expect(table.stdout).toContain("'0 2 * * *' Europe/Paris catch-up latest");
    expect(table.stdout).toContain('incoming:scenes/**/*.png; incoming:**.tif');
  });

  it('deletes an automation and with --cancel-jobs cancels its unfinished jobs', async () => {
    // Prepare: a job submitted by the automation, as the cron handler submits it
    const automation = await fixture.json<Automation>([
      'automations',
      'create-cron',
      'hourly',
      '--task',
      'cli/Report@v1.0',
      '--schedule',
      '0 * * * *',
    ]);
    const store = new DynamoDbJobStore({
      client: localClients().dynamodb,
      tableName: fixture.connection.tables.jobs,
    });
    const { job } = await store.submit({
      name: 'hourly',
      automationId: automation.id,
      root: { identifier: taskIdentifier('cli/Report', 'v1.0'), input: {} },
    });
    const other = await store.submit({
      name: 'other',
      automationId: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
      root: { identifier: taskIdentifier('cli/Report', 'v1.0'), input: {} },
    });

    // Act
    const deleted = await fixture.json<{ deleted: string; cancelledJobs: string[] }>([
      'automations',
      'delete',
      automation.id,
      '--cancel-jobs',
    ]);
    const again = await fixture.run(['automations', 'delete', automation.id]);

    // Assess
    expect(deleted).toEqual({ deleted: automation.id, cancelledJobs: [job.jobId] });
    expect((await fixture.client.jobs.find(job.jobId))?.state).toBe('CANCELLED');
    expect((await fixture.client.jobs.find(other.job.jobId))?.state).toBe('QUEUED');
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`automation ${automation.id}: no such automation`);
  });

  it('exits 2 naming the option for a bad cron, glob, time zone, ignore list, quiet period or cluster', async () => {
    // Act
    const results = await Promise.all([
      fixture.run(['automations', 'create-cron', 'x', '--task', 'T', '--schedule', '61 * * * *']),
      fixture.run([
        'automations',
        'create-storage',
        'x',
        '--task',
        'T',
        '--trigger',
        'incoming:**[',
      ]),
      fixture.run(['automations', 'create-storage', 'x', '--task', 'T', '--trigger', '**.png']),
      fixture.run([
        'automations',
        'create-cron',
        'x',
        '--task',
        'T',
        '--schedule',
        '@daily',
        '--timezone',
        'Mars/Olympus',
      ]),
      fixture.run(['automations', 'create-batch', 'x', '--location', 'incoming', '--ignore', '[x']),
      fixture.run([
        'automations',
        'create-batch',
        'x',
        '--location',
        'incoming',
        '--quiet',
        '10000000000000',
      ]),
      fixture.run([
        'automations',
        'create-cron',
        'x',
        '--task',
        'T',
        '--schedule',
        '@daily',
        '--cluster',
        'nowhere',
      ]),
    ]);

    // Assess
    expect(results.map((result) => result.code)).toEqual([2, 2, 2, 2, 2, 2, 2]);
    const [cron, glob, trigger, zone, ignore, quiet, cluster] = results.map(
      (result) => result.stderr,
    );
    expect(cron).toContain("--schedule: cron '61 * * * *': minute field '61' is out of range");
    expect(glob).toContain("--trigger 'incoming:**[': glob '**[': unclosed '['");
    expect(trigger).toContain("--trigger '**.png': is not LOCATION:GLOB");
    expect(zone).toContain("--timezone: timezone 'Mars/Olympus': not an IANA time zone");
    expect(ignore).toContain("--ignore[0]: glob '[x'");
    expect(quiet).toContain(
      "--quiet: must be an integer number of seconds from 1 to 1209600 (14 days, the members' retention), got 10000000000000",
    );
    expect(cluster).toContain("--cluster: unknown cluster 'nowhere'");
  });
});
