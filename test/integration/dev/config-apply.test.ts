import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { applyConfig } from '../../../bin/dev/config-apply.js';
import { Heartbeat, PackageBatch, WordCount } from '../../../examples/tasks.js';
import { DynamoDbAutomationStore } from '../../../lambdas/adapters/aws/automation-store/dynamodb-automation-store.js';
import { ensureTable } from '../../../lambdas/adapters/aws/dynamodb/table-definition.js';
import { automationsTable } from '../../../lambdas/adapters/aws/dynamodb/tables/automations-table.js';
import type { AutomationStore } from '../../../lambdas/core/ports/automation-store.js';
import type { BucketflowConfig } from '../../../lambdas/sdk/config.js';
import { InvalidConfigError } from '../../../lambdas/sdk/errors.js';
import { localClients, uniqueName } from '../support/local-aws.js';

const NOW = Date.parse('2026-11-23T10:00:30Z');

function demoConfig(count = 5): BucketflowConfig {
  return {
    clusters: { gpu: {} },
    locations: { demo: { kind: 's3', bucket: 'demo' }, inbox: { kind: 'local-folder' } },
    automations: [
      {
        kind: 'storage',
        name: 'word-count',
        task: new WordCount(),
        triggers: [
          ['demo', '**.txt'],
          ['inbox', '**.txt'],
        ],
      },
      {
        kind: 'batch',
        name: 'runs',
        location: 'inbox',
        prefixDepth: 2,
        count,
        quiet: 10,
        task: new PackageBatch(),
        cluster: 'gpu',
      },
      { kind: 'cron', name: 'heartbeat', task: new Heartbeat(), schedules: ['* * * * *'] },
    ],
  };
}

describe('applyConfig', () => {
  const clients = localClients();
  let store: AutomationStore;
  let dataDir: string;

  const apply = (config: BucketflowConfig) =>
    applyConfig({
      store,
      config,
      foldersRoot: join(dataDir, 'folders'),
      stateFile: join(dataDir, 'applied-config.json'),
    });

  beforeEach(async () => {
    const tableName = uniqueName('dev-autos');
    await ensureTable(clients.dynamodb, automationsTable, tableName);
    store = new DynamoDbAutomationStore({ client: clients.dynamodb, tableName, clock: () => NOW });
    dataDir = await mkdtemp(join(tmpdir(), 'bucketflow-apply-'));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('creates the clusters, locations and automations of a config', async () => {
    // Act
    const applied = await apply(demoConfig());

    // Assess
    expect(applied.automations.map((a) => a.name)).toEqual(['word-count', 'runs', 'heartbeat']);
    expect(await store.findLocation('inbox')).toEqual({
      name: 'inbox',
      kind: 'local-folder',
      path: join(dataDir, 'folders', 'inbox'),
    });
    expect(applied.clusters).toEqual(['default', 'gpu']);
    expect(applied.automations[1]?.cluster).toBe('gpu');
    expect(applied.changes).toEqual(
      expect.arrayContaining([
        'created cluster gpu',
        'registered location demo (s3 bucket demo)',
        expect.stringMatching(/^created automation word-count \(storage demo:\*\*\.txt/),
      ]),
    );
  });

  it('keeps every automation when the same config is applied again', async () => {
    // Prepare
    const first = await apply(demoConfig());

    // Act
    const second = await apply(demoConfig());

    // Assess
    expect(second.changes).toEqual([]);
    expect(second.automations.map((a) => a.id)).toEqual(first.automations.map((a) => a.id));
    expect(await store.list()).toHaveLength(3);
    expect(await store.listClusters()).toHaveLength(2);
  });

  it('replaces a changed automation and says what changed', async () => {
    // Prepare
    const first = await apply(demoConfig(5));

    // Act
    const second = await apply(demoConfig(6));

    // Assess
    expect(second.changes).toEqual(['replaced automation runs: triggers.batch.count: 5 → 6']);
    expect(second.automations[1]?.id).not.toBe(first.automations[1]?.id);
    expect(second.automations[0]?.id).toBe(first.automations[0]?.id);
    const runs = (await store.list()).filter((a) => a.name === 'runs');
    expect(runs.map((a) => a.triggers.batch?.count)).toEqual([6]);
  });

  it('deletes an automation the config no longer names', async () => {
    // Prepare
    await apply(demoConfig());
    const config = demoConfig();

    // Act
    const applied = await apply({ ...config, automations: config.automations?.slice(0, 2) });

    // Assess
    expect(applied.changes).toEqual(['deleted automation heartbeat: no longer in the config']);
    expect((await store.list()).map((a) => a.name).sort()).toEqual(['runs', 'word-count']);
  });

  it('starts the schedule of a new cron automation at the apply time, writing no cursor', async () => {
    // Act
    const applied = await apply(demoConfig());

    // Assess
    const heartbeat = applied.automations.find((a) => a.kind === 'cron');
    expect(heartbeat?.enabledAt).toBe(NOW);
    expect(await store.cronCursor(heartbeat?.id ?? '')).toBeUndefined();
  });

  it('refuses an invalid config before writing anything, naming the field', async () => {
    // Prepare
    const config = demoConfig();
    const broken: BucketflowConfig = {
      ...config,
      automations: [
        ...(config.automations ?? []),
        { kind: 'storage', name: 'bad', task: new WordCount(), triggers: [['nowhere', '*.txt']] },
      ],
    };

    // Act
    const applying = apply(broken);

    // Assess
    await expect(applying).rejects.toThrow(InvalidConfigError);
    await expect(applying).rejects.toThrow(/^automations\[3\]\.triggers\[0\]\[0\]: .*'nowhere'/);
    expect(await store.list()).toEqual([]);
    expect(await store.listLocations()).toEqual([]);
  });
});
